package browsertest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Serve starts an HTTP server for h on 127.0.0.1 and closes it when t ends. The
// address is loopback on purpose: the dev login's session cookie is not Secure and
// is honoured on loopback only, so a browser walk must not run on another host.
func Serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("browsertest: listen on loopback: %v", err)
	}
	srv.Listener.Close() // the one httptest made may be on ::1
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// Check is the step a walk takes on every page it reaches: axe-core must find no
// serious violation (Axe), and the page is kept as a screenshot named name.
func Check(t testing.TB, tab *Tab, name string) {
	t.Helper()
	Axe(t, tab)
	Screenshot(t, tab, name)
}

// DevLogin signs in on the portal's dev login page open in tab as the person with
// key person (a radio button), and waits for the page the login leads to; it
// returns that page's HTTP status.
func (tab *Tab) DevLogin(t testing.TB, person string) int64 {
	t.Helper()
	tab.Click(t, `input[name="person"][value="`+person+`"]`)
	return tab.Follow(t, `button[type="submit"]`)
}
