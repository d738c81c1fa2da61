package portal_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/portal"
	"github.com/plein-nl/plein/services/tenancy"
)

// devHost is the host of `plein dev`: no gemeente's, and loopback, so that the
// insecure session cookie of the dev login is honoured on it.
const devHost = "localhost:8080"

// memDirectory is an in-memory portal.Directory. ByHost matches the host exactly,
// so the tests show that the portal itself normalises the Host header.
type memDirectory struct {
	byID   map[tenant.ID]*tenancy.Tenant
	byHost map[string]*tenancy.Tenant
	all    []*tenancy.Tenant
}

func (d *memDirectory) ByID(id tenant.ID) (*tenancy.Tenant, bool) {
	t, ok := d.byID[id]
	return t, ok
}

func (d *memDirectory) ByHost(host string) (*tenancy.Tenant, bool) {
	t, ok := d.byHost[host]
	return t, ok
}

func (d *memDirectory) All() []*tenancy.Tenant { return d.all }

// newDirectory loads the real tenant configs (deventer, enschede, zwolle), all
// active except the ids in suspended.
func newDirectory(t *testing.T, suspended ...tenant.ID) *memDirectory {
	t.Helper()
	loaded, err := tenancy.LoadPath("../../tenants")
	if err != nil {
		t.Fatalf("load tenants: %v", err)
	}
	d := &memDirectory{byID: map[tenant.ID]*tenancy.Tenant{}, byHost: map[string]*tenancy.Tenant{}}
	for _, l := range loaded {
		tn := &tenancy.Tenant{Config: l.Config, Status: "active", Version: 1, Logo: l.Logo}
		if slices.Contains(suspended, l.Config.ID) {
			tn.Status = "suspended"
		}
		d.byID[tn.Config.ID] = tn
		for _, h := range tn.Config.Portal.Hosts {
			d.byHost[h] = tn
		}
		d.all = append(d.all, tn)
	}
	for _, id := range []tenant.ID{"deventer", "enschede", "zwolle"} {
		if _, ok := d.byID[id]; !ok {
			t.Fatalf("tenant %q not in ../../tenants; the tests expect it", id)
		}
	}
	return d
}

type testBundle struct {
	portal   *portal.Portal
	income   *fakeIncome
	payments *fakePayments
	debts    *fakeDebts
	sessions *auth.Sessions
	// revocations holds the sessions logged out.
	revocations *authtest.Revocations
}

type options struct {
	devIndex  bool
	suspended []tenant.ID
	noIncome  bool             // the portal without an income service
	noMoney   bool             // the portal without the payments and debts services
	now       func() time.Time // the clock; testNow when nil
}

// testNow is the clock of the tests: 10 March 2026, so "this month" is 2026-03.
func testNow() time.Time { return time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC) }

// devPeople are the dev login's people per gemeente: the default ones and a
// resident the fake income service knows ("bewoner").
func devPeople(t tenant.ID) []auth.DevPerson {
	people := auth.DefaultDevPeople()
	switch t {
	case "zwolle":
		people = append(people, auth.DevPerson{Key: "bewoner", Label: "Anna Jansen", Name: "Anna Jansen", Role: auth.RoleResident, ResidentID: zwolleResident})
	case "enschede":
		people = append(people, auth.DevPerson{Key: "bewoner", Label: "Karim El Amrani", Name: "Karim El Amrani", Role: auth.RoleResident, ResidentID: enschedeResident})
	}
	return people
}

func setup(t *testing.T, opts options) *testBundle {
	t.Helper()
	key := bytes.Repeat([]byte{7}, 32)
	// The tests log in with the dev login, so its sessions are accepted; logouts
	// are kept in memory (the PostgreSQL store is tested in platform/auth).
	revocations := authtest.NewRevocations()
	sessions, err := auth.NewSessions(auth.SessionConfig{Key: key, Secure: false, Now: time.Now,
		AcceptDev: true, Revocations: revocations})
	if err != nil {
		t.Fatalf("NewSessions: %v", err)
	}
	now := testNow
	if opts.now != nil {
		now = opts.now
	}
	inc := newFakeIncome(now)
	pay, debts := newFakePayments(), newFakeDebts()
	cfg := portal.Config{
		Directory:  newDirectory(t, opts.suspended...),
		Sessions:   sessions,
		DevLogin:   auth.NewDevLogin(sessions, true),
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		DevIndex:   opts.devIndex,
		Income:     inc,
		Payments:   pay,
		Debts:      debts,
		Now:        now,
		Statements: newFakeStatements(t),
	}
	if opts.noIncome {
		cfg.Income = nil
	}
	if opts.noMoney {
		cfg.Payments, cfg.Debts, cfg.Statements = nil, nil, nil
	}
	// Given after New, as `plein dev` does once it has seeded its residents.
	p, err := portal.New(cfg)
	if err != nil {
		t.Fatalf("portal.New: %v", err)
	}
	cfg.DevLogin.WithPeople(devPeople)
	return &testBundle{portal: p, income: inc, payments: pay, debts: debts, sessions: sessions, revocations: revocations}
}

// setupResident is setup with Zwolle's resident (the dev login's "bewoner") logged
// in: the start of every test of a resident's pages. It returns her session cookie.
func setupResident(t *testing.T, opts options) (*testBundle, *http.Cookie) {
	t.Helper()
	tb := setup(t, opts)
	return tb, tb.loginAs(t, "zwolle", "bewoner")
}

type response struct {
	status int
	header http.Header
	body   string
	hops   []string // the Location of every redirect followed
}

// page gets host+target with cookies, wants 200 and checks the page's structure
// (checkStructure, named name); it returns the answer and the page.
func (tb *testBundle) page(t *testing.T, host, target, name string, cookies ...*http.Cookie) (response, *htmlDoc) {
	t.Helper()
	res := tb.get(t, host, target, cookies...)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s%s: status = %d, want %d; body:\n%s", host, target, res.status, http.StatusOK, res.body)
	}
	return res, checkStructure(t, name, res.body)
}

// get requests target on host the way a browser does: it follows redirects on the
// same host and sends cookies with every request.
func (tb *testBundle) get(t *testing.T, host, target string, cookies ...*http.Cookie) response {
	t.Helper()
	var hops []string
	for range 5 {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Host = host
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		tb.portal.ServeHTTP(rec, req)
		res := rec.Result()
		if loc := res.Header.Get("Location"); res.StatusCode/100 == 3 && loc != "" {
			hops = append(hops, loc)
			next, err := req.URL.Parse(loc)
			if err != nil {
				t.Fatalf("GET %s%s: bad Location %q: %v", host, target, loc, err)
			}
			target = next.RequestURI()
			continue
		}
		return response{status: res.StatusCode, header: res.Header, body: rec.Body.String(), hops: hops}
	}
	t.Fatalf("GET %s%s: too many redirects: %q", host, target, hops)
	return response{}
}

// login logs in with the dev login of gemeente id as the resident and returns the
// session cookie.
func (tb *testBundle) login(t *testing.T, id string) *http.Cookie {
	t.Helper()
	return tb.loginAs(t, id, "inwoner")
}

// loginAs logs in with the dev login of gemeente id as the person with key person.
func (tb *testBundle) loginAs(t *testing.T, id, person string) *http.Cookie {
	t.Helper()
	res := tb.postFrom(t, "same-origin", "/t/"+id+"/login", url.Values{"person": {person}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /t/%s/login: status = %d, want %d", id, res.StatusCode, http.StatusSeeOther)
	}
	for _, c := range res.Cookies() {
		if c.Name == auth.DefaultCookieName && c.Value != "" {
			return c
		}
	}
	t.Fatalf("POST /t/%s/login: no %s cookie in %q", id, auth.DefaultCookieName, res.Header.Values("Set-Cookie"))
	return nil
}

// postFrom posts an urlencoded form to target as a browser does from a page whose
// relation to the portal is fetchSite ("same-origin", "cross-site": the
// Sec-Fetch-Site header), with cookies.
func (tb *testBundle) postFrom(t *testing.T, fetchSite, target string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Host = devHost
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	tb.portal.ServeHTTP(rec, req)
	return rec.Result()
}

// scriptPolicy returns the sources the Content-Security-Policy csp allows for each
// kind of script, default-src standing in for a missing script-src.
func scriptPolicy(csp string) map[string]string {
	dirs := map[string]string{}
	for d := range strings.SplitSeq(csp, ";") {
		if f := strings.Fields(d); len(f) > 0 {
			dirs[strings.ToLower(f[0])] = strings.Join(f[1:], " ")
		}
	}
	out := map[string]string{}
	for _, name := range []string{"script-src", "script-src-elem", "script-src-attr"} {
		if v, ok := dirs[name]; ok {
			out[name] = v
		}
	}
	if _, ok := out["script-src"]; !ok {
		if v, ok := dirs["default-src"]; ok {
			out["default-src"] = v
		}
	}
	return out
}

// checkNoScripts fails t when the page may run a script: a <script> in it, or a
// Content-Security-Policy that is missing or allows inline scripts.
func checkNoScripts(t *testing.T, name string, res response) {
	t.Helper()
	if strings.Contains(strings.ToLower(res.body), "<script") {
		t.Errorf("%s: body contains <script>, want none", name)
	}
	csp := res.header.Get("Content-Security-Policy")
	policy := scriptPolicy(csp)
	if len(policy) == 0 {
		t.Errorf("%s: Content-Security-Policy = %q, want a script-src or default-src", name, csp)
	}
	for dir, sources := range policy {
		if strings.Contains(sources, "'unsafe-inline'") || strings.Contains(sources, "'unsafe-eval'") || strings.Contains(sources, "*") {
			t.Errorf("%s: Content-Security-Policy %s = %q, want no 'unsafe-inline', 'unsafe-eval' or *", name, dir, sources)
		}
	}
}

func TestHome(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	tests := []struct {
		path, name, other string
		theme, logo       string
	}{
		{"/t/enschede/", "Gemeente Enschede", "Zwolle", "/t/enschede/theme.css", "/t/enschede/logo.svg"},
		{"/t/zwolle/", "Gemeente Zwolle", "Enschede", "/t/zwolle/theme.css", "/t/zwolle/logo.svg"},
		{"/t/deventer/", "Gemeente Deventer", "Zwolle", "/t/deventer/theme.css", "/t/deventer/logo.svg"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			res := tb.get(t, devHost, tt.path)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want %d; body:\n%s", res.status, http.StatusOK, res.body)
			}
			if got, want := res.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if !strings.Contains(res.body, `<html lang="nl">`) {
				t.Errorf("body has no %q:\n%s", `<html lang="nl">`, res.body)
			}
			doc := checkStructure(t, tt.path, res.body)
			if !strings.Contains(doc.Title, tt.name) {
				t.Errorf("title = %q, want it to contain %q", doc.Title, tt.name)
			}
			if len(doc.H1) != 1 || !strings.Contains(doc.H1[0], tt.name) {
				t.Errorf("h1 = %q, want one naming %q", doc.H1, tt.name)
			}
			if !slices.Contains(doc.Styles, tt.theme) {
				t.Errorf("stylesheets = %q, want %q among them", doc.Styles, tt.theme)
			}
			if !slices.Contains(doc.Images, tt.logo) {
				t.Errorf("images = %q, want %q among them", doc.Images, tt.logo)
			}
			if strings.Contains(res.body, tt.other) {
				t.Errorf("body names %q, want only %q:\n%s", tt.other, tt.name, res.body)
			}
			checkNoScripts(t, tt.path, res)
		})
	}
}

func TestTheme(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	tests := []struct {
		id                      string
		primary, secondary      string
		otherPrimary, otherSec  string
		otherName, ownNameInCSS string
	}{
		{"enschede", "#B5121B", "#1F3A5F", "#00549F", "#F2A900", "Zwolle", "Gemeente Enschede"},
		{"zwolle", "#00549F", "#F2A900", "#B5121B", "#1F3A5F", "Enschede", "Gemeente Zwolle"},
		{"deventer", "#8A1538", "#2E6B3F", "#B5121B", "#F2A900", "Zwolle", "Gemeente Deventer"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			res := tb.get(t, devHost, "/t/"+tt.id+"/theme.css")
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want %d", res.status, http.StatusOK)
			}
			if got, want := res.header.Get("Content-Type"), "text/css; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			for _, want := range []string{
				"--plein-color-primary: " + tt.primary + ";",
				"--plein-color-secondary: " + tt.secondary + ";",
				tt.ownNameInCSS,
			} {
				if !strings.Contains(res.body, want) {
					t.Errorf("theme lacks %q; got:\n%s", want, res.body)
				}
			}
			for _, unwanted := range []string{tt.otherPrimary, tt.otherSec, tt.otherName} {
				if strings.Contains(res.body, unwanted) {
					t.Errorf("theme contains another gemeente's %q; got:\n%s", unwanted, res.body)
				}
			}
		})
	}
}

func TestLogo(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	tests := []struct{ id, file, otherFile string }{
		{"enschede", "../../tenants/enschede.svg", "../../tenants/zwolle.svg"},
		{"zwolle", "../../tenants/zwolle.svg", "../../tenants/enschede.svg"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			other, err := os.ReadFile(tt.otherFile)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(want, other) {
				t.Fatalf("%s and %s are the same file; the test could not tell them apart", tt.file, tt.otherFile)
			}
			res := tb.get(t, devHost, "/t/"+tt.id+"/logo.svg")
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want %d", res.status, http.StatusOK)
			}
			if got, want := res.header.Get("Content-Type"), "image/svg+xml"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if res.body != string(want) {
				t.Errorf("logo = %d bytes %.60q…, want the %d bytes of %s", len(res.body), res.body, len(want), tt.file)
			}
			if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") {
				t.Errorf("Content-Security-Policy = %q, want sandbox (an SVG opened on its own must not run script)", csp)
			}
		})
	}
}

// tenantMarks are strings only a gemeente's own pages contain: names and colours.
var tenantMarks = []string{"Enschede", "Zwolle", "Deventer", "#B5121B", "#00549F", "#8A1538", "enschede", "zwolle", "deventer"}

func TestNotFound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		devIndex bool
		host     string
		path     string
		wantHops []string // redirects on the way to the 404
	}{
		{"unknown tenant", false, devHost, "/t/nope/", nil},
		{"malformed tenant", false, devHost, "/t/Not_Valid/", nil},
		{"upper-case tenant", false, devHost, "/t/Enschede/", nil},
		{"dot segments", false, devHost, "/t/../etc", nil},
		{"encoded slash in tenant", false, devHost, "/t/enschede%2F..%2Fzwolle/", nil},
		{"unknown tenant theme", false, devHost, "/t/nope/theme.css", nil},
		{"unknown tenant logo", false, devHost, "/t/nope/logo.svg", nil},
		{"unknown tenant login", false, devHost, "/t/nope/login", nil},
		{"unknown page of a tenant", false, devHost, "/t/enschede/nope", nil},
		{"no tenant", false, devHost, "/t/", nil},
		{"root without dev index", false, devHost, "/", nil},
		{"root of unknown host", false, "evil.example", "/", nil},
		{"unknown path", false, devHost, "/nope", nil},
		{"unknown path with dev index", true, devHost, "/nope", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tb := setup(t, options{devIndex: tt.devIndex})
			res := tb.get(t, tt.host, tt.path)
			if res.status != http.StatusNotFound {
				t.Fatalf("GET %s%s: status = %d, want %d; body:\n%s", tt.host, tt.path, res.status, http.StatusNotFound, res.body)
			}
			if !slices.Equal(res.hops, tt.wantHops) {
				t.Errorf("redirects = %q, want %q", res.hops, tt.wantHops)
			}
			if got, want := res.header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			doc := checkStructure(t, tt.path, res.body)
			if doc.Lang != "nl" {
				t.Errorf("lang = %q, want %q", doc.Lang, "nl")
			}
			if want := []string{"Deze pagina bestaat niet"}; !slices.Equal(doc.H1, want) {
				t.Errorf("h1 = %q, want %q", doc.H1, want)
			}
			for _, m := range tenantMarks {
				if strings.Contains(res.body, m) {
					t.Errorf("404 page contains %q, want no gemeente's content:\n%s", m, res.body)
				}
			}
		})
	}
}

func TestIndex(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{devIndex: true})
	for _, host := range []string{devHost, "evil.example"} {
		_, doc := tb.page(t, host, "/", "index")
		// Every gemeente of tenants/, by id, with the name from its own file.
		loaded, err := tenancy.LoadPath("../../tenants")
		if err != nil {
			t.Fatal(err)
		}
		var want []anchor
		for _, l := range loaded { // LoadPath reads the files in name order: <id>.yaml
			want = append(want, anchor{Href: "/t/" + string(l.Config.ID) + "/", Text: l.Config.Name, HasHref: true})
		}
		if len(want) < 30 || !slices.Contains(want, anchor{Href: "/t/zwolle/", Text: "Gemeente Zwolle", HasHref: true}) {
			t.Fatalf("tenants/ has %d gemeenten: %+v", len(want), want)
		}
		if !slices.Equal(doc.Anchors, want) {
			t.Errorf("GET %s/: links = %+v, want %+v", host, doc.Anchors, want)
		}
		if doc.Lang != "nl" {
			t.Errorf("GET %s/: lang = %q, want %q", host, doc.Lang, "nl")
		}
	}
}

func TestHostRouting(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	tests := []struct {
		name       string
		host, path string
		wantStatus int
		wantH1     string // for 200
		wantHops   []string
	}{
		{"home", "mijn.zwolle.example", "/", http.StatusOK, "Welkom bij Gemeente Zwolle", nil},
		{"home with port", "mijn.zwolle.example:8080", "/", http.StatusOK, "Welkom bij Gemeente Zwolle", nil},
		{"home, host in capitals", "MIJN.Zwolle.EXAMPLE", "/", http.StatusOK, "Welkom bij Gemeente Zwolle", nil},
		{"home, fully qualified host", "mijn.zwolle.example.", "/", http.StatusOK, "Welkom bij Gemeente Zwolle", nil},
		{"own path prefix", "mijn.zwolle.example", "/t/zwolle/", http.StatusOK, "Welkom bij Gemeente Zwolle", nil},
		{"other host", "mijn.enschede.example", "/", http.StatusOK, "Welkom bij Gemeente Enschede", nil},
		{"other gemeente", "mijn.zwolle.example", "/t/enschede/", http.StatusNotFound, "", nil},
		{"other gemeente with port", "mijn.zwolle.example:8080", "/t/enschede/", http.StatusNotFound, "", nil},
		{"other gemeente, fully qualified host", "mijn.zwolle.example.", "/t/enschede/", http.StatusNotFound, "", nil},
		{"other gemeente, host in capitals", "MIJN.ZWOLLE.EXAMPLE", "/t/enschede/", http.StatusNotFound, "", nil},
		{"other gemeente theme", "mijn.zwolle.example", "/t/enschede/theme.css", http.StatusNotFound, "", nil},
		{"other gemeente logo", "mijn.zwolle.example", "/t/enschede/logo.svg", http.StatusNotFound, "", nil},
		{"other gemeente login", "mijn.zwolle.example", "/t/enschede/login", http.StatusNotFound, "", nil},
		{"other gemeente via dot segments", "mijn.zwolle.example", "/t/zwolle/../enschede/", http.StatusNotFound, "", []string{"/t/enschede/"}},
		{"unknown host", "evil.example", "/", http.StatusNotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tb.get(t, tt.host, tt.path)
			if res.status != tt.wantStatus {
				t.Fatalf("GET %s%s: status = %d, want %d; body:\n%s", tt.host, tt.path, res.status, tt.wantStatus, res.body)
			}
			if !slices.Equal(res.hops, tt.wantHops) {
				t.Errorf("redirects = %q, want %q", res.hops, tt.wantHops)
			}
			doc := checkStructure(t, tt.path, res.body)
			if tt.wantStatus == http.StatusOK {
				if want := []string{tt.wantH1}; !slices.Equal(doc.H1, want) {
					t.Errorf("h1 = %q, want %q", doc.H1, want)
				}
				return
			}
			for _, m := range tenantMarks {
				if strings.Contains(res.body, m) {
					t.Errorf("404 page contains %q, want no gemeente's content", m)
				}
			}
		})
	}
}

// TestHostPageLinksResolve follows every link of Zwolle's home page on Zwolle's host:
// each must work there and lead to Zwolle's theme and logo, not to the path prefix.
func TestHostPageLinksResolve(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	const host = "mijn.zwolle.example"
	_, doc := tb.page(t, host, "/", "zwolle host home")
	if want := []string{"/theme.css", "/static/portal.css"}; !slices.Equal(doc.Styles, want) {
		t.Errorf("stylesheets = %q, want %q", doc.Styles, want)
	}
	if want := []string{"/logo.svg"}; !slices.Equal(doc.Images, want) {
		t.Errorf("images = %q, want %q", doc.Images, want)
	}
	if want := []string{"#inhoud", "/", "?lang=en", "/login"}; !slices.Equal(doc.hrefs(), want) {
		t.Errorf("links = %q, want %q", doc.hrefs(), want)
	}

	zwolleLogo, err := os.ReadFile("../../tenants/zwolle.svg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path        string
		contentType string
		want        string // in the body
		notWant     string
	}{
		{"/theme.css", "text/css; charset=utf-8", "--plein-color-primary: #00549F;", "#B5121B"},
		{"/static/portal.css", "text/css; charset=utf-8", "var(--plein-header-background-color", "#00549F"},
		{"/logo.svg", "image/svg+xml", string(zwolleLogo), "Enschede"},
		{"/", "text/html; charset=utf-8", "Welkom bij Gemeente Zwolle", "Enschede"},
		{"/?lang=en", "text/html; charset=utf-8", "Welcome to Gemeente Zwolle", "Enschede"},
		{"/login", "text/html; charset=utf-8", "Inloggen als testpersoon bij zwolle", "enschede"},
	}
	for _, tt := range tests {
		res := tb.get(t, host, tt.path)
		if res.status != http.StatusOK {
			t.Errorf("GET %s%s: status = %d, want %d", host, tt.path, res.status, http.StatusOK)
			continue
		}
		if got := res.header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("GET %s%s: Content-Type = %q, want %q", host, tt.path, got, tt.contentType)
		}
		if !strings.Contains(res.body, tt.want) {
			t.Errorf("GET %s%s: body lacks %.80q", host, tt.path, tt.want)
		}
		if strings.Contains(res.body, tt.notWant) {
			t.Errorf("GET %s%s: body contains %q", host, tt.path, tt.notWant)
		}
	}
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	tests := []struct {
		path       string
		wantLang   string
		wantH1     string
		wantSwitch anchor // the link to the other language
		notWant    string
	}{
		{"/t/enschede/", "nl", "Welkom bij Gemeente Enschede", anchor{Href: "?lang=en", HrefLang: "en", Text: "English", HasHref: true}, "Welcome"},
		{"/t/enschede/?lang=nl", "nl", "Welkom bij Gemeente Enschede", anchor{Href: "?lang=en", HrefLang: "en", Text: "English", HasHref: true}, "Welcome"},
		{"/t/enschede/?lang=en", "en", "Welcome to Gemeente Enschede", anchor{Href: "?lang=nl", HrefLang: "nl", Text: "Nederlands", HasHref: true}, "Welkom"},
		{"/t/zwolle/?lang=en", "en", "Welcome to Gemeente Zwolle", anchor{Href: "?lang=nl", HrefLang: "nl", Text: "Nederlands", HasHref: true}, "Welkom"},
		{"/t/enschede/?lang=fr", "nl", "Welkom bij Gemeente Enschede", anchor{Href: "?lang=en", HrefLang: "en", Text: "English", HasHref: true}, "Welcome"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			res, doc := tb.page(t, devHost, tt.path, tt.path)
			if doc.Lang != tt.wantLang {
				t.Errorf("lang = %q, want %q", doc.Lang, tt.wantLang)
			}
			if want := []string{tt.wantH1}; !slices.Equal(doc.H1, want) {
				t.Errorf("h1 = %q, want %q", doc.H1, want)
			}
			if !slices.Contains(doc.Anchors, tt.wantSwitch) {
				t.Errorf("links = %+v, want %+v among them", doc.Anchors, tt.wantSwitch)
			}
			if strings.Contains(res.body, tt.notWant) {
				t.Errorf("body contains %q, want only %s text", tt.notWant, tt.wantLang)
			}
		})
	}
}

func TestSuspendedBanner(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{suspended: []tenant.ID{"deventer"}})
	tests := []struct {
		path       string
		wantAlerts []string
	}{
		{"/t/deventer/", []string{"U kunt dit portaal nu alleen bekijken. U kunt niets veranderen. Betalingen staan even stil."}},
		{"/t/deventer/?lang=en", []string{"This portal is read-only for now. You can look at your details, but you cannot change anything. Payments are on hold."}},
		{"/t/enschede/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			_, doc := tb.page(t, devHost, tt.path, tt.path)
			if !slices.Equal(doc.Alerts, tt.wantAlerts) {
				t.Errorf("role=alert texts = %q, want %q", doc.Alerts, tt.wantAlerts)
			}
		})
	}
}

func TestDevLogin(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})

	res := tb.get(t, devHost, "/t/enschede/login")
	if res.status != http.StatusOK {
		t.Fatalf("GET login: status = %d, want %d", res.status, http.StatusOK)
	}
	doc := checkStructure(t, "dev login", res.body)
	if len(doc.Alerts) != 1 || !strings.Contains(doc.Alerts[0], "alleen voor ontwikkeling") {
		t.Errorf("GET login: role=alert texts = %q, want the development-only warning", doc.Alerts)
	}
	if want := []string{"Inloggen als testpersoon bij enschede"}; !slices.Equal(doc.H1, want) {
		t.Errorf("GET login: h1 = %q, want %q", doc.H1, want)
	}
	checkNoScripts(t, "dev login", res)

	// A cross-site form post is refused and logs nobody in.
	cross := tb.postFrom(t, "cross-site", "/t/enschede/login", url.Values{"person": {"inwoner"}})
	if cross.StatusCode != http.StatusForbidden || len(cross.Cookies()) != 0 {
		t.Errorf("cross-site POST: status = %d, cookies = %d, want %d and none", cross.StatusCode, len(cross.Cookies()), http.StatusForbidden)
	}

	res2 := tb.postFrom(t, "same-origin", "/t/enschede/login", url.Values{"person": {"inwoner"}})
	if got, want := res2.Header.Get("Location"), "/t/enschede/"; got != want {
		t.Errorf("POST login: Location = %q, want %q", got, want)
	}
	cookie := tb.login(t, "enschede")

	tests := []struct {
		path         string
		wantLoggedIn bool
	}{
		{"/t/enschede/", true},
		{"/t/enschede/?lang=en", true},
		{"/t/zwolle/", false},
		{"/t/deventer/", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			res := tb.get(t, devHost, tt.path, cookie)
			if res.status != http.StatusOK {
				t.Fatalf("status = %d, want %d", res.status, http.StatusOK)
			}
			doc := checkStructure(t, tt.path, res.body)
			main := strings.Join(doc.MainText, " ")
			loggedIn := strings.Contains(main, "ingelogd als Sam de Vries (test)") ||
				strings.Contains(main, "logged in as Sam de Vries (test)")
			if loggedIn != tt.wantLoggedIn {
				t.Errorf("shows logged in = %v, want %v; main text: %q", loggedIn, tt.wantLoggedIn, main)
			}
			hasLoginLink := slices.ContainsFunc(doc.Anchors, func(a anchor) bool { return strings.HasSuffix(a.Href, "/login") })
			if hasLoginLink == tt.wantLoggedIn {
				t.Errorf("login link shown = %v, want %v; links: %q", hasLoginLink, !tt.wantLoggedIn, doc.hrefs())
			}
		})
	}
}

// TestPagesAreWellFormed applies the structural check to every kind of page.
func TestPagesAreWellFormed(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{devIndex: true, suspended: []tenant.ID{"deventer"}})
	cookie := tb.login(t, "zwolle")
	tests := []struct {
		name, host, path string
		wantStatus       int
		wantLang         string
	}{
		{"home nl", devHost, "/t/enschede/", http.StatusOK, "nl"},
		{"home en", devHost, "/t/enschede/?lang=en", http.StatusOK, "en"},
		{"home logged in", devHost, "/t/zwolle/", http.StatusOK, "nl"},
		{"home suspended", devHost, "/t/deventer/", http.StatusOK, "nl"},
		{"home on own host", "mijn.enschede.example", "/", http.StatusOK, "nl"},
		{"404", devHost, "/t/nope/", http.StatusNotFound, "nl"},
		{"index", devHost, "/", http.StatusOK, "nl"},
		{"dev login", devHost, "/t/enschede/login", http.StatusOK, "nl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := tb.get(t, tt.host, tt.path, cookie)
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.status, tt.wantStatus)
			}
			doc := checkStructure(t, tt.name, res.body)
			if doc.Lang != tt.wantLang {
				t.Errorf("lang = %q, want %q", doc.Lang, tt.wantLang)
			}
		})
	}
}

// TestDutchSentencesAreShort is a smoke check of B1 Dutch: no sentence in the main
// content of the home page is longer than 20 words.
func TestDutchSentencesAreShort(t *testing.T) {
	t.Parallel()
	tb := setup(t, options{})
	for _, path := range []string{"/t/enschede/", "/t/zwolle/"} {
		res := tb.get(t, devHost, path)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: status = %d, want %d", path, res.status, http.StatusOK)
		}
		doc := parseHTML(res.body)
		var sentences []string
		for _, text := range doc.MainText {
			for s := range strings.FieldsFuncSeq(text, func(r rune) bool { return r == '.' || r == '?' || r == '!' }) {
				if s = strings.TrimSpace(s); s != "" {
					sentences = append(sentences, s)
				}
			}
		}
		// Guards against a check that passes because it read nothing.
		if len(sentences) < 15 {
			t.Fatalf("GET %s: %d sentences in <main>, want at least 15: %q", path, len(sentences), sentences)
		}
		wantShortSentences(t, "GET "+path, sentences)
	}
}
