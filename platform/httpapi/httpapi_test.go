package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
)

func TestSecureHeaders(t *testing.T) {
	t.Parallel()
	for _, hsts := range []bool{false, true} {
		h := httpapi.SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/page" {
				w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
			}
		}), hsts)
		for _, path := range []string{"/api", "/page"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			got := rec.Header()
			if got.Get("X-Content-Type-Options") != "nosniff" || got.Get("Referrer-Policy") != "same-origin" ||
				got.Get("X-Frame-Options") != "DENY" || !strings.Contains(got.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("%s (hsts %v): headers %v", path, hsts, got)
			}
			if (got.Get("Strict-Transport-Security") == httpapi.HSTS) != hsts {
				t.Errorf("%s: Strict-Transport-Security %q with hsts %v", path, got.Get("Strict-Transport-Security"), hsts)
			}
		}
	}
}
