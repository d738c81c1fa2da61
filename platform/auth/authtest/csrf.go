package authtest

import (
	"regexp"
	"testing"

	"github.com/plein-nl/plein/platform/auth"
)

// csrfRE finds the hidden CSRF field of a form as the portal renders it.
var csrfRE = regexp.MustCompile(`name="` + regexp.QuoteMeta(auth.CSRFField) + `" value="([^"]+)"`)

// CSRFToken returns the CSRF token of the first form in html, a page with a form that
// a test is about to post; the test fails if the page has none.
func CSRFToken(t testing.TB, html string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("authtest: no %s field in the page:\n%s", auth.CSRFField, html)
	}
	return m[1]
}
