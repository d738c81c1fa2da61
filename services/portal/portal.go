// Package portal serves the residents' portal: each gemeente's own branded pages,
// server-rendered, usable without JavaScript, in plain Dutch (B1) with English as the
// second language.
//
// A gemeente is recognised by its portal host (mijn.enschede.example) or, for local
// use, by the path prefix /t/<id>/. An unknown tenant gets a 404 page, never a default
// tenant; a request on one gemeente's host can never reach another gemeente's pages.
package portal

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/tenancy"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static.css
var baseCSS []byte

// Directory finds tenants; satisfied by *tenancy.Directory.
type Directory interface {
	ByID(id tenant.ID) (*tenancy.Tenant, bool)
	ByHost(host string) (*tenancy.Tenant, bool)
	All() []*tenancy.Tenant
}

// Config configures the portal.
type Config struct {
	Directory Directory
	Sessions  *auth.Sessions
	DevLogin  *auth.DevLogin // nil or disabled outside `plein dev`
	Log       *slog.Logger
	// DevIndex lists every gemeente at "/" on a host that is no portal host; only in
	// `plein dev`. Otherwise such a host gets the 404 page.
	DevIndex bool
	// Income answers the resident's pages (Deze maand, Loonstrook, Wat als,
	// Toestemming). Without it those pages say they are not available yet.
	Income income.Service
	// Payments answers "Mijn betalingen" and, with Income, the Geldkalender; Debts
	// answers "Mijn schulden". Without them those pages say they are not available
	// yet and stay out of the menu.
	Payments Payments
	Debts    Debts
	// Statements answers "Mijn specificaties" (the settled months, their PDFs and the
	// year overview); without it those pages say they are not available yet and stay
	// out of the menu.
	Statements Statements
	// Now is the clock that decides "this month"; time.Now when nil.
	Now func() time.Time
	// Limit, when set, is asked before each "what if" calculation with the tenant and
	// the signed-in resident's subject; false means it has answered (429) itself.
	Limit func(w http.ResponseWriter, r *http.Request, t tenant.ID, subject string) bool
}

// Portal is the residents' portal.
type Portal struct {
	cfg   Config
	base  *template.Template            // index and notfound
	pages map[string]*template.Template // layout + one page's "content"
	loc   *time.Location
	mux   *http.ServeMux
}

// pageNames are the files under templates/ that each define the "content" of one
// page inside layout.html.
var pageNames = []string{"home", "month", "payslip", "whatif", "consent", "fail",
	"payments", "paymentnew", "paymentstop", "debts", "calendar",
	"statements", "statement", "statementyear"}

// New returns the portal.
func New(cfg Config) (*Portal, error) {
	base, err := template.ParseFS(templatesFS, "templates/layout.html", "templates/form.html", "templates/shortfall.html", "templates/index.html", "templates/notfound.html")
	if err != nil {
		return nil, fmt.Errorf("portal: templates: %w", err)
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		clone, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("portal: templates: %w", err)
		}
		if pages[name], err = clone.ParseFS(templatesFS, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("portal: templates: %w", err)
		}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// "This month" is the month in the Netherlands.
	p := &Portal{cfg: cfg, base: base, pages: pages, loc: clock.Amsterdam, mux: http.NewServeMux()}
	p.mux.HandleFunc("GET /t/{tenant}/{$}", p.withTenant(p.home))
	p.mux.HandleFunc("GET /t/{tenant}/theme.css", p.withTenant(p.theme))
	p.mux.HandleFunc("GET /t/{tenant}/logo.svg", p.withTenant(p.logo))
	if cfg.DevLogin != nil {
		tenantOf := func(r *http.Request) (tenant.ID, bool) {
			id, err := tenant.Parse(r.PathValue("tenant"))
			if err != nil {
				return "", false
			}
			_, ok := cfg.Directory.ByID(id)
			return id, ok
		}
		// withTenant first, so an unknown gemeente gets the portal's Dutch 404 page
		// rather than the login handler's plain-text one.
		login := cfg.DevLogin.Handler(tenantOf, nil, nil)
		p.mux.Handle("/t/{tenant}/login", p.withTenant(func(w http.ResponseWriter, r *http.Request, _ *tenancy.Tenant) {
			login.ServeHTTP(w, r)
		}))
	}
	p.routeResident()
	p.mux.HandleFunc("GET /static/portal.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(baseCSS)
	})
	p.mux.HandleFunc("GET /{$}", p.index)
	p.mux.HandleFunc("/", p.notFound)
	return p, nil
}

// ServeHTTP resolves the tenant at the edge (tenant.Resolve): on a gemeente's own
// host, paths are that gemeente's (/ is its home) and /t/<other>/ does not exist;
// elsewhere the /t/<id>/ prefix names the gemeente.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w)
	if strings.HasPrefix(r.URL.Path, "/static/") {
		p.mux.ServeHTTP(w, r)
		return
	}
	res, err := tenant.Resolve(r.Host, r.URL.Path, resolver{p.cfg.Directory})
	if err != nil {
		if _, onTenantHost := p.hostTenant(r); !onTenantHost && r.URL.Path == "/" {
			p.index(w, r)
			return
		}
		p.notFound(w, r)
		return
	}
	if res.ByHost {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/t/" + string(res.ID) + res.Path
		r2.URL.RawPath = ""
		r = r2
	}
	p.mux.ServeHTTP(w, r)
}

// resolver adapts a Directory to tenant.Directory.
type resolver struct{ d Directory }

func (r resolver) TenantOfHost(host string) (tenant.ID, bool) {
	t, ok := r.d.ByHost(host)
	if !ok {
		return "", false
	}
	return t.Config.ID, true
}

func (r resolver) Exists(id tenant.ID) bool { _, ok := r.d.ByID(id); return ok }

// hostTenant returns the gemeente whose portal host r names.
func (p *Portal) hostTenant(r *http.Request) (*tenancy.Tenant, bool) {
	return p.cfg.Directory.ByHost(tenant.CanonicalHost(r.Host))
}

func setSecurityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// withTenant resolves the {tenant} path value against the directory: an unknown or
// malformed id is a 404, and the tenant enters the context here and nowhere else.
func (p *Portal) withTenant(next func(http.ResponseWriter, *http.Request, *tenancy.Tenant)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := tenant.Parse(r.PathValue("tenant"))
		if err != nil {
			p.notFound(w, r)
			return
		}
		t, ok := p.cfg.Directory.ByID(id)
		if !ok {
			p.notFound(w, r)
			return
		}
		ctx := tenant.WithID(r.Context(), id)
		observe.SetTenant(ctx, id)
		next(w, r.WithContext(ctx), t)
	}
}

// page is what layout.html renders: the frame every gemeente page shares, and in
// Data what the page itself shows.
type page struct {
	Lang, LangQuery, Title, Base, Who string
	Tenant                            *tenancy.Tenant
	T                                 texts
	// LangSwitch is the href of the link to the other language: this page's query
	// with lang set to the other one.
	LangSwitch string
	// Nav is the resident's menu; empty when nobody is logged in.
	Nav []navLink
	// Statements is the href of "Mijn specificaties" in the resident's menu; "" without.
	Statements string
	// CSRF is the session's token for the logout form (and the page's own forms).
	CSRF string
	// Data is the page's own content.
	Data any
}

// navLink is an entry of the resident's menu.
type navLink struct {
	Href, Text string
	Current    bool
}

// newPage returns the frame of a page of t in the request's language.
func (p *Portal) newPage(r *http.Request, t *tenancy.Tenant) page {
	lang := langOf(r)
	pg := page{Lang: lang, Tenant: t, T: textsFor(lang, t.Config.Name), Base: "/t/" + string(t.Config.ID) + "/"}
	if _, ok := p.hostTenant(r); ok {
		pg.Base = "/"
	}
	if lang == "en" {
		pg.LangQuery = "?lang=en"
	}
	q := r.URL.Query()
	if lang == "en" {
		q.Set("lang", "nl")
	} else {
		q.Set("lang", "en")
	}
	pg.LangSwitch = "?" + q.Encode()
	return pg
}

func (p *Portal) home(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
	pg := p.newPage(r, t)
	pg.Title = pg.T.HomeTitle
	if p.cfg.Sessions != nil {
		if s, err := p.cfg.Sessions.LoadAndRefresh(w, r, t.Config.ID); err == nil {
			pg.Who = s.Identity.Name
			if pg.Who == "" {
				pg.Who = s.Identity.Subject
			}
			if isResident(s) {
				p.withNav(&pg, s, "")
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, r, http.StatusOK, "home", pg)
}

// render executes page name (one of pageNames, or "index" / "notfound") into a
// buffer first, so a template error becomes a clean 500 rather than half a page.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	tmpl, entry := p.base, name
	if t, ok := p.pages[name]; ok {
		tmpl, entry = t, "layout"
	}
	if err := tmpl.ExecuteTemplate(&buf, entry, data); err != nil {
		p.cfg.Log.ErrorContext(r.Context(), "portal: render", "template", name, "err", err)
		http.Error(w, "Er ging iets mis. Probeer het later opnieuw.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// theme turns the gemeente's branding into design tokens (CSS custom properties in
// the NL Design System style). The values were validated when the config was applied.
func (p *Portal) theme(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
	b := t.Config.Branding
	font := b.Font
	if font == "" {
		font = "system-ui, sans-serif"
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	fmt.Fprintf(w, `/* Theme of %s: design tokens from tenants/%s.yaml (version %d). */
:root {
  --plein-color-primary: %s;
  --plein-color-secondary: %s;
  --plein-font-family: %s;
  --plein-header-background-color: var(--plein-color-primary);
  --plein-header-color: #ffffff;
  --plein-button-background-color: var(--plein-color-primary);
  --plein-button-color: #ffffff;
  --plein-link-color: var(--plein-color-primary);
  --plein-heading-color: var(--plein-color-primary);
  --plein-accent-color: var(--plein-color-secondary);
  --plein-focus-color: #ffbf47;
  --plein-text-color: #1a1a1a;
  --plein-background-color: #ffffff;
}
`, cssComment(t.Config.Name), t.Config.ID, t.Version, b.PrimaryColor, b.SecondaryColor, font)
}

func cssComment(s string) string { return strings.ReplaceAll(s, "*/", "") }

func (p *Portal) logo(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	_, _ = w.Write(t.Logo)
}

// index lists the gemeenten at "/" in `plein dev`; elsewhere "/" on a host that is no
// gemeente's is a 404, never a default tenant.
func (p *Portal) index(w http.ResponseWriter, r *http.Request) {
	if !p.cfg.DevIndex {
		p.notFound(w, r)
		return
	}
	p.render(w, r, http.StatusOK, "index", p.cfg.Directory.All())
}

func (p *Portal) notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, r, http.StatusNotFound, "notfound", nil)
}

// withQuery appends the values to path as a query string, keeping ?lang=en.
func withQuery(path, lang string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	if lang == "en" {
		q.Set("lang", "en")
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func langOf(r *http.Request) string {
	if r.URL.Query().Get("lang") == "en" {
		return "en"
	}
	return "nl"
}
