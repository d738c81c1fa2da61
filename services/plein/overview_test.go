package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

// opsBundle is the whole app on a database with two gemeenten: zwolle (active, three
// residents, a dry-run in progress and a failed run, a config version pending) and
// enschede (suspended, one resident, no runs).
type opsBundle struct {
	srv, admin   *httptest.Server
	coop, zwolle *authtest.Issuer
	pendingFrom  time.Time
}

func setupOps(t *testing.T) *opsBundle {
	t.Helper()
	ctx := context.Background()
	dir := tenancytest.Copy(t, "../../tenants", "enschede", "zwolle")
	d := tenantsDBOf(t, dir)
	store := tenancy.NewStore(d.Control, nil)
	// Zwolle's version 2 takes effect at the start of a month some weeks ahead.
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	next := time.Now().In(ams).AddDate(0, 2, 0)
	b := &opsBundle{coop: authtest.NewIssuer(t), zwolle: authtest.NewIssuer(t),
		pendingFrom: time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, ams)}
	zw := filepath.Join(dir, "zwolle.yaml")
	src, _ := os.ReadFile(zw)
	src = []byte(strings.Replace(string(src), `primary_color: "#00549F"`, `primary_color: "#003A70"`, 1) +
		"valid_from: " + b.pendingFrom.Format(time.DateOnly) + "\n")
	if err := os.WriteFile(zw, src, 0o600); err != nil {
		t.Fatal(err)
	}
	applyTenants(t, d, dir)
	if _, err := store.Transition(ctx, "enschede", tenancy.StatusSuspended, "ops", "betalingsachterstand"); err != nil {
		t.Fatal(err)
	}
	d.AddResidents(t, "zwolle", 3)
	d.AddResidents(t, "enschede", 1)
	insertRun(t, d.App, "zwolle", "2026-09-01", false, "failed", time.Now().Add(-48*time.Hour))
	insertRun(t, d.App, "zwolle", "2026-10-01", true, "planning", time.Now().Add(-time.Hour))

	verifiers := verifiersOf(t, map[*authtest.Issuer]string{b.zwolle: "zwolle", b.coop: ""})
	a := testApp(t, d, appConfig{sessionKey: []byte("0123456789abcdef0123456789abcdef"), verifiers: verifiers})
	b.srv, b.admin = httptest.NewServer(a.handler), httptest.NewServer(a.adminMux)
	t.Cleanup(b.srv.Close)
	t.Cleanup(b.admin.Close)
	return b
}

// insertRun records a settlement run as the settlement service leaves it.
func insertRun(t *testing.T, app *pgxpool.Pool, id tenant.ID, period string, dry bool, status string, started time.Time) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), id), app, func(ctx context.Context, tx pgx.Tx) error {
		var finished *time.Time
		var msg *string
		if status == "failed" {
			f, m := started.Add(time.Minute), "the run does not reconcile"
			finished, msg = &f, &m
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO settlement_runs (tenant_id, id, period, dry_run, status, sepa_version, started_by, started_at, finished_at, error)
			VALUES (current_tenant(), $1, $2::date, $3, $4, 'pain.001.001.09', 'cons-z', $5, $6, $7)`,
			uuid.New(), period, dry, status, started, finished, msg)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// opsPage is what the test reads from the overview page.
type opsPage struct {
	Lang    string
	H1      []string
	Lead    string
	Scripts int
	// Rows are the first table body's rows by their id, each the text of its cells;
	// LawRows the law data's table's.
	Rows, LawRows map[string][]string
	// Header is the text of the first table's header cells, LawHeader the law data's
	// table's.
	Header, LawHeader []string
}

// parseOpsPage walks the page with encoding/xml in HTML mode (the standard library has
// no HTML parser) and collects the table by rows and cells.
func parseOpsPage(t *testing.T, body string) opsPage {
	t.Helper()
	p := opsPage{Rows: map[string][]string{}, LawRows: map[string][]string{}}
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var stack []string
	var rowID string
	var cell, h1, lead *strings.Builder
	inTbody := false
	tables := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v\n%s", err, body)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tk.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			stack = append(stack, tk.Name.Local)
			switch tk.Name.Local {
			case "html":
				p.Lang = attr("lang")
			case "script":
				p.Scripts++
			case "h1":
				h1 = &strings.Builder{}
			case "p":
				if attr("class") == "lead" {
					lead = &strings.Builder{}
				}
			case "table":
				tables++
			case "tbody":
				inTbody = true
			case "tr":
				rowID = attr("id")
			case "th", "td":
				cell = &strings.Builder{}
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			switch tk.Name.Local {
			case "h1":
				p.H1 = append(p.H1, strings.Join(strings.Fields(h1.String()), " "))
				h1 = nil
			case "p":
				if lead != nil {
					p.Lead, lead = strings.Join(strings.Fields(lead.String()), " "), nil
				}
			case "tbody":
				inTbody = false
			case "th", "td":
				text := strings.Join(strings.Fields(cell.String()), " ")
				switch {
				case inTbody && tables == 1:
					p.Rows[rowID] = append(p.Rows[rowID], text)
				case inTbody:
					p.LawRows[rowID] = append(p.LawRows[rowID], text)
				case tables == 1:
					p.Header = append(p.Header, text)
				default:
					p.LawHeader = append(p.LawHeader, text)
				}
				cell = nil
			}
		case xml.CharData:
			for _, b := range []*strings.Builder{cell, h1, lead} {
				if b != nil {
					b.WriteString(" " + string(tk))
				}
			}
		}
	}
	return p
}

func (b *opsBundle) get(t *testing.T, srv *httptest.Server, path, bearer string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

// TestOperatorOverviewPage: the coöperatie's operator sees every gemeente's line —
// status, config version in force and pending, residents, newest run, failed runs — on
// one server-rendered page; nobody else does.
func TestOperatorOverviewPage(t *testing.T) {
	t.Parallel()
	b := setupOps(t)
	operator := token(b.coop, "op-1", "coop-operator")

	status, body, h := b.get(t, b.srv, "/operator/", operator)
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /operator/ as operator: %d %s\n%s", status, h.Get("Content-Type"), body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || h.Get("Cache-Control") != "no-store" {
		t.Errorf("headers: CSP %q, Cache-Control %q; want a strict CSP and no-store", csp, h.Get("Cache-Control"))
	}
	p := parseOpsPage(t, body)
	if p.Lang != "nl" || !slices.Equal(p.H1, []string{"Overzicht van de gemeenten"}) || p.Scripts != 0 {
		t.Errorf("page: lang %q, h1 %q, %d scripts; want nl, one h1, no script", p.Lang, p.H1, p.Scripts)
	}
	if want := "2 gemeenten, samen 4 inwoners. Bij 1 gemeente is een afrekening mislukt."; p.Lead != want {
		t.Errorf("lead: %q, want %q", p.Lead, want)
	}
	if want := []string{"Gemeente", "Status", "Configuratie", "Inwoners", "Laatste afrekening", "Mislukt"}; !slices.Equal(p.Header, want) {
		t.Errorf("table header: %q, want %q", p.Header, want)
	}
	if len(p.Rows) != 2 {
		t.Fatalf("table has rows %v, want enschede and zwolle", p.Rows)
	}
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	pending := fmt.Sprintf("versie 2 gaat in op 1 %s %d", months[b.pendingFrom.Month()-1], b.pendingFrom.Year())
	for _, tc := range []struct {
		row  string
		want []string // a cell equal to the text, or starting with it when it ends in "…"
	}{
		{"gemeente-enschede", []string{"Gemeente Enschede (enschede)", "geschorst", "versie 1, sinds …", "1", "nog geen", "0"}},
		{"gemeente-zwolle", []string{"Gemeente Zwolle (zwolle)", "actief", "versie 1, sinds …", "3", "oktober 2026 (proef): wordt gepland", "1"}},
	} {
		got := p.Rows[tc.row]
		if len(got) != len(tc.want) {
			t.Errorf("row %s: cells %q, want %q", tc.row, got, tc.want)
			continue
		}
		for i, w := range tc.want {
			if pre, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(got[i], pre) || got[i] == w {
				continue
			}
			t.Errorf("row %s, cell %d: %q, want %q", tc.row, i, got[i], w)
		}
	}
	if cfg := p.Rows["gemeente-zwolle"]; len(cfg) > 2 && !strings.HasSuffix(cfg[2], pending) {
		t.Errorf("zwolle's configuration: %q, want it to end with the pending version: %q", cfg[2], pending)
	}
	if cfg := p.Rows["gemeente-enschede"]; len(cfg) > 2 && strings.Contains(cfg[2], "gaat in op") {
		t.Errorf("enschede's configuration: %q, want no pending version", cfg[2])
	}
	// The law data: every file with its next indexation; the last, of 1 January 2026,
	// is stale from July 2026 on (platform/law: no newer file).
	if want := []string{"Geldig vanaf", "Bestand", "Volgende indexering", "Stand"}; !slices.Equal(p.LawHeader, want) {
		t.Errorf("law table header: %q, want %q", p.LawHeader, want)
	}
	lastState := "geldt nu"
	if !time.Now().Before(time.Date(2026, 6, 30, 22, 0, 0, 0, time.UTC)) { // 1 July in Amsterdam
		lastState = "geldt nu; verouderd sinds 1 juli 2026"
	}
	for id, want := range map[string][]string{
		"wet-2025-07-01": {"1 juli 2025", "data/2025-07-01.yaml", "1 januari 2026", "vervangen"},
		"wet-2026-01-01": {"1 januari 2026", "data/2026-01-01.yaml", "1 juli 2026", lastState},
	} {
		if got := p.LawRows[id]; !slices.Equal(got, want) {
			t.Errorf("law row %s: %q, want %q", id, got, want)
		}
	}

	// The same figures as metrics, on the admin endpoint.
	status, metrics, _ := b.get(t, b.admin, "/metrics", "")
	for _, want := range []string{
		`plein_tenant_active_residents{tenant="zwolle"} 3`,
		`plein_tenant_active_residents{tenant="enschede"} 1`,
		`plein_tenant_status{status="suspended",tenant="enschede"} 1`,
		`plein_tenant_status{status="active",tenant="enschede"} 0`,
		`plein_tenant_status{status="active",tenant="zwolle"} 1`,
	} {
		if status != http.StatusOK || !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics (%d) lacks %s", status, want)
		}
	}

	// Nobody else: no credential, a gemeente's staff, a gemeente's issuer claiming the
	// operator's role.
	for _, c := range []struct {
		name   string
		bearer string
		want   int
	}{
		{"no credential", "", http.StatusUnauthorized},
		{"a gemeente's consulent", token(b.zwolle, "cons-z", "consulent"), http.StatusForbidden},
		{"a gemeente's tenant admin", token(b.zwolle, "admin-z", "tenant-admin"), http.StatusForbidden},
		{"a gemeente's issuer claiming coop-operator", token(b.zwolle, "admin-z", "coop-operator"), http.StatusForbidden},
		{"an operator without a role", token(b.coop, "op-2"), http.StatusForbidden},
	} {
		status, body, _ := b.get(t, b.srv, "/operator/", c.bearer)
		if status != c.want || strings.Contains(body, "Gemeente Zwolle") {
			t.Errorf("%s: %d, want %d without the overview:\n%s", c.name, status, c.want, body)
		}
		if c.want == http.StatusForbidden {
			if p := parseOpsPage(t, body); !slices.Equal(p.H1, []string{"Geen toegang"}) {
				t.Errorf("%s: h1 %q, want Geen toegang", c.name, p.H1)
			}
		}
	}
	if status, _, _ := b.get(t, b.srv, "/operator/gemeenten", operator); status != http.StatusNotFound {
		t.Errorf("GET /operator/gemeenten: %d, want 404", status)
	}
}
