// Package overview serves the coöperatie operators' overview page at /operator/: per
// gemeente its lifecycle status, the config version in force (and any pending one), its
// residents, its newest settlement run and its failed runs; and the national law data
// (platform/law) with each file's next indexation, warning when the current month's is
// stale. Server-rendered with
// html/template, without JavaScript, in Dutch, in the portal's house style without a
// gemeente's theme.
//
// The page authenticates like the staff API (an OIDC bearer token of the coöperatie's
// issuer, checked at the edge) and needs the coop-operator role: tenants:list and
// settlement:read across gemeenten.
package overview

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Tenants lists the gemeenten with their config versions; satisfied by tenancy.Service.
type Tenants interface {
	ListTenants(ctx context.Context) ([]tenancy.TenantSummary, error)
}

// Vitals reads every gemeente's residents; satisfied by *tenancy.VitalsReader.
type Vitals interface {
	Read(ctx context.Context) ([]tenancy.Vitals, error)
}

// Runs is the settlement's view across gemeenten; satisfied by *settlement.Service.
type Runs interface {
	Overview(ctx context.Context) ([]settlement.TenantRuns, error)
}

// Authorizer decides for the coöperatie; satisfied by *authz.Authorizer.
type Authorizer interface {
	AuthorizeCooperative(ctx context.Context, p authz.Principal, obj authz.Object, act authz.Action) error
}

// Config configures the page.
type Config struct {
	Tenants Tenants
	Vitals  Vitals
	Runs    Runs
	Authz   Authorizer
	Log     *slog.Logger
	// Now is the clock of the page's "stand van"; time.Now when nil.
	Now func() time.Time
	// Law is the law data shown; law.MustLoad() when nil.
	Law *law.Book
}

// Page is the overview page, an http.Handler for /operator/.
type Page struct {
	cfg  Config
	tmpl *template.Template
	loc  *time.Location
	mux  *http.ServeMux
}

// New returns the page.
func New(cfg Config) (*Page, error) {
	if cfg.Tenants == nil || cfg.Vitals == nil || cfg.Runs == nil || cfg.Authz == nil {
		return nil, errors.New("overview: Tenants, Vitals, Runs and Authz are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Law == nil {
		cfg.Law = law.MustLoad()
	}
	loc := clock.Amsterdam
	funcs := template.FuncMap{
		"date":   func(t time.Time) string { return dutchTime(t.In(loc)) },
		"number": dutchNumber,
		"day":    dutchDate,
	}
	tmpl, err := template.New("").Funcs(funcs).ParseFS(templatesFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("overview: templates: %w", err)
	}
	p := &Page{cfg: cfg, tmpl: tmpl, loc: loc, mux: http.NewServeMux()}
	p.mux.HandleFunc("GET /operator/{$}", p.overview)
	p.mux.HandleFunc("/operator/", func(w http.ResponseWriter, r *http.Request) {
		p.render(w, r, http.StatusNotFound, "message", message{Title: "Pagina niet gevonden",
			Text: "Deze pagina bestaat niet. Het overzicht van de gemeenten staat op /operator/."})
	})
	return p, nil
}

// ServeHTTP serves the page; the principal was put in the context by the edge.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	p.mux.ServeHTTP(w, r)
}

// Row is one gemeente's line on the page.
type Row struct {
	ID            tenant.ID
	Name          string
	Status        string // in Dutch
	Inactive      bool   // not active: shown in bold
	Version       int
	VersionSince  time.Time
	Pending       []tenancy.PendingVersion
	Residents     int64
	KnowResidents bool
	// Latest is the newest settlement run, if any.
	Latest       *settlement.Run
	LatestPeriod string // "oktober 2026"
	LatestStatus string // in Dutch
	Failed       int
	Awaiting     int
}

// view is what overview.html renders.
type view struct {
	Rows      []Row
	At        time.Time
	Residents int64
	// WithFailed counts the gemeenten with failed runs.
	WithFailed int
	// VitalsError is set when the residents could not be counted.
	VitalsError bool
	Law         lawView
}

// lawView is the law data on the page: every file, and whether the current month's is
// stale.
type lawView struct {
	Files []lawFile
	// Stale is set when the current month is past the next indexation of the file in
	// force (Current) and no newer file is; Due is since when.
	Stale   bool
	Due     time.Time
	Current lawFile
}

// lawFile is one law file's row.
type lawFile struct {
	Name      string // data/2026-01-01.yaml
	ValidFrom time.Time
	Due       time.Time
	State     string // in Dutch
	Stale     bool
}

type message struct{ Title, Text string }

func (p *Page) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pr := authz.PrincipalFrom(ctx)
	for _, need := range []struct {
		obj authz.Object
		act authz.Action
	}{{authz.ObjectTenants, authz.ActionList}, {authz.ObjectSettlement, authz.ActionRead}} {
		if err := p.cfg.Authz.AuthorizeCooperative(ctx, pr, need.obj, need.act); err != nil {
			p.refuse(w, r, err)
			return
		}
	}
	v, err := p.read(ctx)
	if err != nil {
		p.cfg.Log.ErrorContext(ctx, "overview: read", "err", err)
		p.render(w, r, http.StatusInternalServerError, "message", message{Title: "Er ging iets mis",
			Text: "Het overzicht kan nu niet worden gemaakt. Probeer het later opnieuw."})
		return
	}
	p.render(w, r, http.StatusOK, "overview", v)
}

func (p *Page) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, authz.ErrUnauthenticated) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="plein"`)
		p.render(w, r, http.StatusUnauthorized, "message", message{Title: "Inloggen nodig",
			Text: "Dit overzicht is voor de beheerders van de coöperatie. Stuur een geldig token mee."})
		return
	}
	p.render(w, r, http.StatusForbidden, "message", message{Title: "Geen toegang",
		Text: "Dit overzicht is alleen voor de beheerders van de coöperatie (rol coop-operator)."})
}

// read joins the three sources by gemeente: the registry's list is the set of rows.
func (p *Page) read(ctx context.Context) (view, error) {
	v := view{At: p.cfg.Now(), Law: p.lawView()}
	ts, err := p.cfg.Tenants.ListTenants(ctx)
	if err != nil {
		return v, err
	}
	runs, err := p.cfg.Runs.Overview(ctx)
	if err != nil {
		return v, err
	}
	byTenant := make(map[tenant.ID]settlement.TenantRuns, len(runs))
	for _, tr := range runs {
		byTenant[tr.Tenant] = tr
	}
	vitals, err := p.cfg.Vitals.Read(ctx)
	if err != nil {
		// The rest of the page is still worth seeing: the residents show as unknown.
		p.cfg.Log.WarnContext(ctx, "overview: residents", "err", err)
		v.VitalsError = true
	}
	residents := make(map[tenant.ID]int64, len(vitals))
	for _, vt := range vitals {
		residents[vt.Tenant] = vt.Residents
	}
	for _, t := range ts {
		row := Row{ID: t.ID, Name: t.Name, Status: statusNL(t.Status), Version: t.Version, VersionSince: t.ValidFrom, Pending: t.Pending}
		row.Residents, row.KnowResidents = residents[t.ID]
		v.Residents += row.Residents
		if tr, ok := byTenant[t.ID]; ok {
			row.Failed, row.Awaiting = tr.Failed, tr.AwaitingApproval
			if tr.Latest != nil {
				row.Latest = tr.Latest
				row.LatestPeriod = periodNL(tr.Latest.Period)
				row.LatestStatus = runStatusNL(tr.Latest.Status)
			}
		}
		if row.Failed > 0 {
			v.WithFailed++
		}
		row.Inactive = t.Status != string(tenancy.StatusActive)
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

// lawView reads the law data as of the current month (in Amsterdam): each file is
// replaced, in force (stale or not) or still to come.
func (p *Page) lawView() lawView {
	day := bijstand.PeriodOf(p.cfg.Now().In(p.loc)).First()
	var v lawView
	stale, due, current := p.cfg.Law.Staleness(day)
	for _, f := range p.cfg.Law.Files() {
		lf := lawFile{Name: f.File, ValidFrom: f.ValidFrom.Time, Due: f.NextIndexation.Due.Time}
		switch {
		case f.File == current && stale:
			lf.State, lf.Stale = "geldt nu; verouderd sinds "+dutchDate(due), true
			v.Stale, v.Due, v.Current = true, due, lf
		case f.File == current:
			lf.State = "geldt nu"
			v.Current = lf
		case f.ValidFrom.After(day):
			lf.State = "gaat nog in"
		default:
			lf.State = "vervangen"
		}
		v.Files = append(v.Files, lf)
	}
	return v
}

// render executes into a buffer first, so a template error is a clean 500.
func (p *Page) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		p.cfg.Log.ErrorContext(r.Context(), "overview: render", "template", name, "err", err)
		http.Error(w, "Er ging iets mis.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var monthsNL = [12]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

func periodNL(p bijstand.Period) string { return monthsNL[p.Month-1] + " " + strconv.Itoa(p.Year) }

// dutchTime is "1 januari 2027", with the time when it is not midnight.
func dutchTime(t time.Time) string {
	s := dutchDate(t)
	if t.Hour() != 0 || t.Minute() != 0 {
		s += t.Format(" 15:04")
	}
	return s
}

// dutchDate is a calendar date (a law file's, stored as midnight UTC) as "1 juli 2026".
func dutchDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), monthsNL[t.Month()-1], t.Year())
}

// dutchNumber writes n with a dot between thousands: 12.345.
func dutchNumber(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func statusNL(s string) string {
	switch tenancy.Status(s) {
	case tenancy.StatusOnboarding:
		return "wordt aangesloten"
	case tenancy.StatusActive:
		return "actief"
	case tenancy.StatusSuspended:
		return "geschorst"
	case tenancy.StatusOffboarding:
		return "wordt afgesloten"
	case tenancy.StatusOffboarded:
		return "afgesloten"
	}
	return s
}

func runStatusNL(s settlement.Status) string {
	switch s {
	case settlement.StatusPlanning:
		return "wordt gepland"
	case settlement.StatusComputing:
		return "wordt berekend"
	case settlement.StatusClosing:
		return "wordt afgerond"
	case settlement.StatusAwaitingApproval:
		return "wacht op goedkeuring"
	case settlement.StatusPosting:
		return "wordt geboekt"
	case settlement.StatusFinal:
		return "definitief"
	case settlement.StatusDryRunDone:
		return "proefberekening klaar"
	case settlement.StatusFailed:
		return "mislukt"
	case settlement.StatusCancelled:
		return "geannuleerd"
	}
	return string(s)
}
