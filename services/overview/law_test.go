package overview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// oneGemeente is the page's sources with one active gemeente and no runs: the rows
// are not what TestLawData is about (services/plein's TestOperatorOverviewPage reads
// them from a real database).
type oneGemeente struct{}

func (oneGemeente) ListTenants(context.Context) ([]tenancy.TenantSummary, error) {
	return []tenancy.TenantSummary{{ID: "zwolle", Name: "Gemeente Zwolle", Status: "active", Version: 1,
		ValidFrom: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}, nil
}
func (oneGemeente) Read(context.Context) ([]tenancy.Vitals, error) { return nil, nil }
func (oneGemeente) Overview(context.Context) ([]settlement.TenantRuns, error) {
	return nil, nil
}
func (oneGemeente) AuthorizeCooperative(context.Context, authz.Principal, authz.Object, authz.Action) error {
	return nil
}

// TestLawData: the page lists every law file with its next indexation; in a month
// past the last file's (1 July 2026) it warns since when, names the file and the
// flag a final run needs, and marks the file stale; before it, it warns nothing.
func TestLawData(t *testing.T) {
	t.Parallel()
	page := func(now time.Time) string {
		t.Helper()
		p, err := New(Config{Tenants: oneGemeente{}, Vitals: oneGemeente{}, Runs: oneGemeente{}, Authz: oneGemeente{},
			Law: law.MustLoad(), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/operator/", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /operator/: %d\n%s", rec.Code, rec.Body)
		}
		return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(rec.Body.String(), " ")), " ")
	}
	rows := []string{
		"1 januari 2025 data/2025-01-01.yaml 1 juli 2025 vervangen",
		"1 juli 2025 data/2025-07-01.yaml 1 januari 2026 vervangen",
	}
	stale := page(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
	for _, want := range append(rows,
		"De wettelijke normen zijn verouderd sinds 1 juli 2026. Elke maand vanaf 1 juli 2026 wordt berekend met de normen van 1 januari 2026 ( platform/law/data/2026-01-01.yaml )",
		"plein settle --acknowledge-stale-law",
		"1 januari 2026 data/2026-01-01.yaml 1 juli 2026 geldt nu; verouderd sinds 1 juli 2026",
		"plein_law_data_stale") {
		if !strings.Contains(stale, want) {
			t.Errorf("December 2026: the page lacks %q:\n%s", want, stale)
		}
	}
	fresh := page(time.Date(2026, 6, 30, 21, 59, 0, 0, time.UTC)) // 23:59 on 30 June in Amsterdam
	for _, want := range append(rows,
		"De normen van deze maand zijn actueel: de volgende indexering is op 1 juli 2026.",
		"1 januari 2026 data/2026-01-01.yaml 1 juli 2026 geldt nu") {
		if !strings.Contains(fresh, want) {
			t.Errorf("June 2026: the page lacks %q:\n%s", want, fresh)
		}
	}
	if strings.Contains(fresh, "verouderd sinds") {
		t.Errorf("June 2026: the page warns of stale law data:\n%s", fresh)
	}
}
