package residents

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/input/inputtest"
	"github.com/plein-nl/plein/platform/tenant"
)

// countResidents counts tenant tn's cases as the owner (RLS is forced on it too).
func countResidents(t *testing.T, b *testBundle, tn tenant.ID) int {
	t.Helper()
	return b.d.Count(t, tn, "SELECT count(*) FROM residents")
}

// TestHTTPInputHygiene sends every hostile text to every free-text field of the
// residents API: each is a 400 naming the field, in Dutch too, and nothing is stored.
func TestHTTPInputHygiene(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newTestServer(t, b.svc)
	const base = "/api/v1/tenants/enschede/residents"
	inputtest.CheckFields(t, coupleJSON, []inputtest.Field{
		{Name: "name", Old: `"Jan de Vries"`},
		{Name: "partner.name", Old: `"Ayşe de Vries"`},
		{Name: "housemates[0].description", Old: `"schoonmoeder"`, Optional: true}, // blank: TestNamesStoredClean
	}, func(body string) (int, []byte) {
		resp, got := do(t, srv, "enschede", http.MethodPost, base, body, nil)
		return resp.StatusCode, got
	})
	for _, tt := range []struct {
		name, body, field string
	}{
		{"wrong JSON type", strings.Replace(coupleJSON, `"n_months_used":2`, `"n_months_used":"twee"`, 1), "n_months_used"},
		{"trailing garbage", coupleJSON + `]`, "body"},
	} {
		resp, got := do(t, srv, "enschede", http.MethodPost, base, tt.body, nil)
		inputtest.Check(t, tt.name, resp.StatusCode, got, http.StatusBadRequest, tt.field)
	}
	if n := countResidents(t, b, enschede); n != 0 {
		t.Fatalf("residents stored = %d, want 0", n)
	}

	// A change and a purpose of a read are held to the same rules.
	resp, got := do(t, srv, "enschede", http.MethodPost, base, coupleJSON, nil)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", resp.StatusCode, got)
	}
	var created struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	mustJSON(t, got, &created)
	for _, h := range inputtest.Hostile() {
		resp, got := do(t, srv, "enschede", http.MethodPatch, base+"/"+created.ID, `{"name":`+h.JSON+`}`, map[string]string{"If-Match": `"1"`})
		inputtest.Check(t, "patch name, "+h.Name, resp.StatusCode, got, http.StatusBadRequest, "name")
	}
	for _, q := range []string{"zaak%E2%80%AE+2026-0042", "%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B%E2%80%8B", "zaak%C2%85+2026-0042"} {
		resp, got := do(t, srv, "enschede", http.MethodGet, base+"/"+created.ID+"?purpose="+q, "", nil)
		inputtest.Check(t, "purpose "+q, resp.StatusCode, got, http.StatusBadRequest, "purpose")
	}
	r, err := b.raw.Get(as(consulentEnschede), enschede, created.ID, purpose)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "Jan de Vries" || r.Version != 1 {
		t.Errorf("after the refused changes: name %q, version %d; want %q, 1", r.Name, r.Version, "Jan de Vries")
	}
	if got := auditRows(t, b, enschede, created.ID); len(got) != 1 {
		t.Errorf("audited reads = %d, want 1 (only the check above)", len(got))
	}
}

// TestNamesStoredClean checks that names are stored in NFC and trimmed, that Dutch
// names with diacritics, apostrophes and hyphens pass unchanged, and that an optional
// description of invisible characters only is stored as "".
func TestNamesStoredClean(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for i, tt := range []struct{ in, want string }{
		{"Aïcha van 't Hof-Öztürk", "Aïcha van 't Hof-Öztürk"},
		{"\u200bRene\u0301e de Wit\ufeff ", "Renée de Wit"},
	} {
		nr := single([]string{bsnA, bsnB}[i])
		nr.Name = tt.in
		nr.Housemates = []NewHousemate{{BirthDate: "2001-09-09", Description: "\u200b\u2060 "}}
		r := mustCreate(t, b.svc, as(consulentEnschede), enschede, nr)
		if r.Name != tt.want || r.Housemates[0].Description != "" {
			t.Errorf("name %+q stored as %+q, description %+q; want %+q and \"\"", tt.in, r.Name, r.Housemates[0].Description, tt.want)
		}
	}
}

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, errorEncoder)
}
