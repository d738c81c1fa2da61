package overview

import (
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/services/portal/browsertest"
)

// TestBrowserLawData: the operators' page with stale law data passes axe-core and fits
// a phone without sideways scrolling, in the portal's style sheet (served from the
// portal's source here, as the portal serves it next to the page).
func TestBrowserLawData(t *testing.T) {
	p, err := New(Config{Tenants: oneGemeente{}, Vitals: oneGemeente{}, Runs: oneGemeente{}, Authz: oneGemeente{},
		Law: law.MustLoad(), Now: func() time.Time { return time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/operator/", p)
	mux.HandleFunc("/static/portal.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		http.ServeFile(w, r, "../portal/static.css")
	})
	srv := browsertest.Serve(t, mux)
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	tab.Navigate(t, srv.URL+"/operator/")
	if !tab.Has(t, "#wet-verouderd") || !tab.Has(t, "#wet-2026-01-01 strong") {
		t.Error("the page shows no stale law data warning")
	}
	browsertest.Check(t, tab, "overzicht-verouderde-normen")
	tab.Do(t, chromedp.EmulateViewport(390, 844))
	browsertest.Check(t, tab, "overzicht-verouderde-normen-telefoon")
	if w := browsertest.Run(t, tab, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); w > 0 {
		t.Errorf("at 390 px the page scrolls sideways by %d px", w)
	}
}
