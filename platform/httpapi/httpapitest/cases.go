package httpapitest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Case is one request of a table-driven transport test and the answer it must get.
type Case struct {
	Name      string
	Principal string // the key of the principal in the server's map, "" for none
	Method    string
	Path      string
	Body      string
	Header    map[string]string
	// WantStatus is the answer's status; from 400 on, the answer must be a problem
	// (CheckProblem) naming exactly WantFields.
	WantStatus int
	WantFields []string
}

// Check is a check of a transport's own on an answer that has the status its case
// wants, run before the problem check.
type Check func(t *testing.T, c Case, resp *http.Response, body []byte)

// RunCases runs each case as a subtest of t: it sends the request to srv, stops the
// subtest unless the status is the one wanted, runs check (when not nil), and checks
// an error status's problem with CheckProblem.
func RunCases(t *testing.T, srv *httptest.Server, cases []Case, check Check) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			resp, body := Do(t, srv, c.Principal, c.Method, c.Path, c.Body, c.Header)
			if resp.StatusCode != c.WantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.StatusCode, c.WantStatus, body)
			}
			if check != nil {
				check(t, c, resp, body)
			}
			if c.WantStatus >= 400 {
				CheckProblem(t, resp, body, c.WantStatus, c.WantFields)
			}
		})
	}
}
