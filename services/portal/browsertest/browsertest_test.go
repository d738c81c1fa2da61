package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/services/portal/browsertest"
)

// recorder is a testing.TB that keeps the errors Axe reports instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestHarness shows that Axe fails a page with serious violations and passes a
// good one, that tabs do not share cookies, and that screenshots are written.
func TestHarness(t *testing.T) {
	t.Setenv(browsertest.EnvArtifacts, t.TempDir())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		switch r.URL.Path {
		case "/bad":
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>Slecht</h1>`+
				`<img src="/x.png"><p style="color:#bbb;background:#fff">Grijs op wit.</p><input type="text"></main></body></html>`)
		case "/cookie":
			http.SetCookie(w, &http.Cookie{Name: "c", Value: "1", Path: "/"})
			fmt.Fprint(w, `<!DOCTYPE html><html lang="nl"><head><title>c</title></head><body><main><h1>Koekje</h1></main></body></html>`)
		default:
			_, seen := r.Cookie("c")
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="nl"><head><title>Goed</title></head><body><main><h1>Goed</h1><p id="c">%v</p></main></body></html>`, seen == nil)
		}
	}))
	t.Cleanup(srv.Close)

	b := browsertest.Start(t)
	tab := b.NewTab(t)
	tab.Navigate(t, srv.URL+"/bad")
	rec := &recorder{TB: t}
	browsertest.Axe(rec, tab)
	for _, id := range []string{"image-alt", "color-contrast", "label", "html-has-lang"} {
		if !slices.ContainsFunc(rec.errors, func(e string) bool { return strings.HasPrefix(e, "axe "+id+" ") }) {
			t.Errorf("Axe did not report %s on the bad page; it reported %q", id, rec.errors)
		}
	}
	tab.Navigate(t, srv.URL+"/good")
	if v := browsertest.Axe(t, tab); len(v) != 0 {
		t.Errorf("violations on the good page: %+v", v)
	}
	path := browsertest.Screenshot(t, tab, "good page")
	if png, err := os.ReadFile(path); err != nil || !strings.HasPrefix(string(png), "\x89PNG") || filepath.Base(path) != "01-good-page.png" {
		t.Errorf("screenshot %s: %v, want a PNG named 01-good-page.png", path, err)
	}

	tab.Navigate(t, srv.URL+"/cookie")
	tab.Navigate(t, srv.URL+"/good")
	if got := tab.Text(t, "#c"); got != "true" {
		t.Errorf("cookie seen in the same tab = %q, want true", got)
	}
	other := b.NewTab(t)
	other.Navigate(t, srv.URL+"/good")
	if got := other.Text(t, "#c"); got != "false" {
		t.Errorf("cookie seen in a new tab = %q, want false: tabs must not share cookies", got)
	}
}
