package settlement_test

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/portal"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// The resident's specificaties in the portal, read from what real final runs stored:
// the portal (services/portal) over the settlement's StatementReader, as services/plein
// wires it. The figures expected are worked out here from the fixture's inputs.

// gemeenten is a portal.Directory of the repository's gemeenten, by id only.
type gemeenten map[tenant.ID]*tenancy.Tenant

func (g gemeenten) ByID(id tenant.ID) (*tenancy.Tenant, bool) { t, ok := g[id]; return t, ok }
func (g gemeenten) ByHost(string) (*tenancy.Tenant, bool)     { return nil, false }
func (g gemeenten) All() []*tenancy.Tenant                    { return nil }

// specPortal is the portal over app's settled months, and the sessions it accepts.
type specPortal struct {
	p        *portal.Portal
	sessions *auth.Sessions
}

func newSpecPortal(t *testing.T, app *pgxpool.Pool) specPortal {
	t.Helper()
	loaded, err := tenancy.LoadPath("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	g := gemeenten{}
	for _, l := range loaded {
		g[l.Config.ID] = &tenancy.Tenant{Config: l.Config, Status: "active", Version: 1, Logo: l.Logo}
	}
	sessions, err := auth.NewSessions(auth.SessionConfig{Key: bytes.Repeat([]byte{9}, 32), Now: time.Now,
		Revocations: authtest.NewRevocations()})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := settlement.NewStatementReader(app, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := portal.New(portal.Config{Directory: g, Sessions: sessions,
		Statements: portal.NewStatementsAdapter(reader, creditors.NewService(app, nil, time.Now))})
	if err != nil {
		t.Fatal(err)
	}
	return specPortal{p: p, sessions: sessions}
}

// as is the session cookie of residentID of gemeente g, called name.
func (s specPortal) as(t *testing.T, g tenant.ID, residentID, name string) *http.Cookie {
	t.Helper()
	rec := httptest.NewRecorder()
	if _, err := s.sessions.Issue(rec, auth.Identity{Subject: "digid:" + residentID, Tenant: g, Roles: []string{auth.RoleResident},
		ResidentID: residentID, Name: name, Method: auth.MethodOIDC}); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

// get answers path for the session c: the status, the answer and its body (HTML
// unescaped, so that the test reads the text as the resident does).
func (s specPortal) get(t *testing.T, path string, c *http.Cookie) (int, *http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Host = "localhost:8080"
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	s.p.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	if res.Header.Get("Content-Type") == "application/pdf" {
		return res.StatusCode, res, string(body)
	}
	return res.StatusCode, res, html.UnescapeString(string(body))
}

// page wants path to be a page (200) for c and returns its text.
func (s specPortal) page(t *testing.T, path string, c *http.Cookie) string {
	t.Helper()
	status, _, body := s.get(t, path, c)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d, want 200:\n%s", path, status, body)
	}
	return body
}

// pdf wants path to be a PDF attachment called name and returns its text.
func (s specPortal) pdf(t *testing.T, path string, c *http.Cookie, name string) string {
	t.Helper()
	status, res, body := s.get(t, path, c)
	if status != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="`+name+`"` || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("GET %s: %d %s %q, want a PDF attachment %s", path, status, res.Header.Get("Content-Type"),
			res.Header.Get("Content-Disposition"), name)
	}
	return pdfText(t, []byte(body))
}

var (
	pdfStream = regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	pdfShow   = regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
)

// pdfText is the text a PDF shows, one string per line: its content streams inflated
// (FlateDecode) and the strings of their Tj operators decoded from cp1252, the code
// page of fpdf's core fonts. Enough for the PDFs fpdf writes, not for any PDF.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	var out strings.Builder
	for _, m := range pdfStream.FindAllSubmatch(b, -1) {
		content := m[1]
		if r, err := zlib.NewReader(bytes.NewReader(content)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				content = inflated
			}
		}
		for _, s := range pdfShow.FindAllSubmatch(content, -1) {
			out.WriteString(cp1252(unescapePDF(s[1])))
			out.WriteByte('\n')
		}
	}
	return out.String()
}

// unescapePDF undoes a PDF string's escapes: \\, \(, \) and octal \ddd.
func unescapePDF(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		if n := 0; s[i] >= '0' && s[i] <= '7' {
			v := 0
			for ; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
				v, i = v*8+int(s[i]-'0'), i+1
			}
			out, i = append(out, byte(v)), i-1
			continue
		}
		switch s[i] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		default:
			out = append(out, s[i])
		}
	}
	return out
}

// cp1252 decodes the characters the pages use: ASCII, Latin-1 and the euro sign.
func cp1252(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c == 0x80:
			sb.WriteRune('€')
		case c == 0x96:
			sb.WriteRune('–')
		case c == 0x97:
			sb.WriteRune('—')
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// wantAll reports every want that text lacks.
func wantAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestSpecificatieInPortal: resident A's settled March in the portal — the list, the
// month line by line with its articles, its PDF and the year — with the figures of
// her inputs; no one else's month, no month not settled, and no other gemeente.
func TestSpecificatieInPortal(t *testing.T) {
	t.Parallel()
	app := settlement.SettleMarchWithReceipts(t)
	s := newSpecPortal(t, app)
	a := s.as(t, "zwolle", settlement.ResA, "Zoë Çelik")

	// A: single, € 300,00 net from work. The law keeps 25 % of it out (Pw art. 31 lid 2
	// onder n), so € 225,00 counts against the norm of a single person, € 1.401,50 (Pw
	// art. 21 onder a). Of the bijstand 4,8 % is put aside as vakantiegeld (rounded to
	// the cent), her zorgpremie is paid to Zilveren Kruis, and the rest is paid to her.
	const norm, net, gross = 140150, 30000, 34500
	counted := net - net*25/100
	bij := money.Cents(norm - counted)
	reserve := (bij*48 + 500) / 1000
	payout := bij - reserve - money.Cents(settlement.ZorgpremieCents)
	hash := fmt.Sprintf("%x", sha256.Sum256([]byte(settlement.ResAInputs)))

	list := s.page(t, "/t/zwolle/specificaties/", a)
	wantAll(t, "the list", list, "maart 2026", payout.String(), "25 maart 2026", `href="/t/zwolle/specificaties/2026-03"`,
		`href="/t/zwolle/specificaties/jaar/2026"`)

	month := s.page(t, "/t/zwolle/specificaties/2026-03", a)
	wantAll(t, "March", month, "Specificatie maart 2026", payout.String(), "25 maart 2026", bij.String(), (-reserve).String(),
		money.Cents(norm).String(), "Zilveren Kruis", "POL-111", money.Cents(gross).String(), money.Cents(net).String(),
		"Bakkerij De Korf", "Pw art. 21 onder a", "Pw art. 31 lid 2", "data/2026-01-01.yaml", hash, "specificaties/2026-03.pdf")
	if strings.Contains(month, `data-testid="not-verified"`) {
		t.Error("March replays to its cents, yet the page says it cannot explain it")
	}
	en := s.page(t, "/t/zwolle/specificaties/2026-03?lang=en", a)
	wantAll(t, "March in English", en, "Statement March 2026", payout.FormatEN(), bij.FormatEN(), "Paid on")

	doc := s.pdf(t, "/t/zwolle/specificaties/2026-03.pdf", a, "specificatie-2026-03.pdf")
	wantAll(t, "March's PDF", doc, "Specificatie maart 2026", "Gemeente Zwolle", "Zoë Çelik", payout.String(), bij.String(),
		(-reserve).String(), "Pw art. 31 lid 2", "Zilveren Kruis", "POL-111", money.Cents(gross).String(),
		"data/2026-01-01.yaml", hash)

	year := s.page(t, "/t/zwolle/specificaties/jaar/2026", a)
	wantAll(t, "2026", year, "Jaaroverzicht 2026", "loonheffing", bij.String(), payout.String(),
		"Betaald aan Zilveren Kruis", money.Cents(settlement.ZorgpremieCents).String())
	wantAll(t, "2026's PDF", s.pdf(t, "/t/zwolle/specificaties/jaar/2026.pdf", a, "jaaroverzicht-2026.pdf"),
		"Jaaroverzicht 2026", "Zoë Çelik", payout.String(), "loonheffing")

	// C, settled in the same run, sees her own month and nothing of A's.
	c := s.as(t, "zwolle", settlement.ResC, "Łukasz Søren")
	if got := s.page(t, "/t/zwolle/specificaties/2026-03", c); strings.Contains(got, "POL-111") || strings.Contains(got, "Bakkerij De Korf") {
		t.Error("C's month shows A's deduction or wage")
	}
	// Not found: B was not in the run; A has no April; a resident of Enschede with A's
	// id has no month in Enschede; a malformed month or year.
	b := s.as(t, "zwolle", settlement.ResB, "Piet Jansen")
	other := s.as(t, "enschede", settlement.ResA, "Karim El Amrani")
	for _, c := range []struct {
		who  string
		path string
		c    *http.Cookie
	}{
		{"B", "/t/zwolle/specificaties/2026-03", b}, {"B", "/t/zwolle/specificaties/2026-03.pdf", b},
		{"B", "/t/zwolle/specificaties/jaar/2026", b}, {"B", "/t/zwolle/specificaties/jaar/2026.pdf", b},
		{"A", "/t/zwolle/specificaties/2026-04", a}, {"A", "/t/zwolle/specificaties/2026-04.pdf", a},
		{"A", "/t/zwolle/specificaties/jaar/2025", a}, {"A", "/t/zwolle/specificaties/2026-3", a},
		{"A", "/t/zwolle/specificaties/jaar/26", a},
		{"Enschede", "/t/enschede/specificaties/2026-03", other}, {"Enschede", "/t/enschede/specificaties/2026-03.pdf", other},
	} {
		if status, _, body := s.get(t, c.path, c.c); status != http.StatusNotFound || strings.Contains(body, payout.String()) {
			t.Errorf("%s: GET %s: %d, want 404 without A's figures", c.who, c.path, status)
		}
	}
	// Enschede's session on Zwolle's pages is no session there: to the login.
	if status, res, _ := s.get(t, "/t/zwolle/specificaties/2026-03", other); status != http.StatusSeeOther ||
		res.Header.Get("Location") != "/t/zwolle/login" {
		t.Errorf("Enschede's session on Zwolle's month: %d %s, want 303 to the login", status, res.Header.Get("Location"))
	}
}

// TestSpecificatieHeldAndYear: A's payouts of January and February held (her account
// number was not valid) and paid in March as a nabetaling: each month says so, and the
// year adds up to the sum of its months.
func TestSpecificatieHeldAndYear(t *testing.T) {
	t.Parallel()
	s := newSpecPortal(t, settlement.SettleHeldThenReleased(t))
	a := s.as(t, "zwolle", settlement.ResA, "Zoë Çelik")
	// Every month: the norm of a single person, 4,8 % put aside, her zorgpremie paid.
	bij, reserve, zorg := money.Cents(settlement.BijstandSingle), money.Cents(settlement.ReserveSingle), money.Cents(settlement.ZorgpremieCents)
	payout := bij - reserve - zorg
	want := map[string]money.Cents{"2026-01": 0, "2026-02": 0, "2026-03": 3 * payout} // what reached her account
	paid := regexp.MustCompile(`data-testid="paid">([^<]+)<`)
	var sum money.Cents
	for _, m := range []string{"2026-01", "2026-02", "2026-03"} {
		page := s.page(t, "/t/zwolle/specificaties/"+m, a)
		got := paid.FindStringSubmatch(page)
		if got == nil || got[1] != want[m].String() {
			t.Errorf("%s: paid %v, want %s", m, got, want[m])
		}
		sum += want[m]
		// Stored before receipts: the amounts, and why there is no explanation.
		wantAll(t, m, page, "voordat Plein elke berekening bewaarde", bij.String(), payout.String())
		if m != "2026-03" {
			wantAll(t, m, page, "Nog niet overgemaakt: "+payout.String(), "geen goed rekeningnummer (IBAN)")
		}
	}
	wantAll(t, "March", s.page(t, "/t/zwolle/specificaties/2026-03", a), "Nabetaling", (2 * payout).String())

	year := s.page(t, "/t/zwolle/specificaties/jaar/2026", a)
	total := regexp.MustCompile(`(?s)<tr class="line--total">.*?</tr>`).FindString(year)
	wantAll(t, "2026's total", total, "Totaal", (3 * bij).String(), (3 * reserve).String(), (3 * zorg).String(), sum.String())
	wantAll(t, "2026 per kind", year, "Betaald aan Zilveren Kruis", "Waarvan nabetaling", (2 * payout).String())
	wantAll(t, "2026's PDF", s.pdf(t, "/t/zwolle/specificaties/jaar/2026.pdf", a, "jaaroverzicht-2026.pdf"),
		"januari 2026", "februari 2026", "maart 2026", sum.String(), (3 * bij).String(), (2 * payout).String())
}
