// Package httpapi is the one kit of Plein's HTTP API transports (go-kit): a service
// declares its routes and a table of its sentinel errors (API), and the kit reads the
// request (strict JSON bodies, the tenant of the path, If-Match, the purpose of a
// read), writes the answer (EncodeJSON) and turns every error into an RFC 9457 problem
// (platform/problem) in one place, with one status for invalid input: 400, naming each
// field (ValidationError) in English and in Dutch.
package httpapi

import (
	"net/http"
)

// Router is where a transport mounts its routes: an *http.ServeMux, or the composition
// root's route table, which refuses a route it has no access rule for and checks that
// rule at the edge before the route's handler runs.
type Router interface {
	Handle(pattern string, handler http.Handler)
}

// HSTS is the Strict-Transport-Security of Plein's answers: a year, subdomains too.
// Browsers honour it only over HTTPS, so it is sent only where TLS ends in front of
// Plein (the production roles); the Ingress sets it as well.
const HSTS = "max-age=31536000; includeSubDomains"

// SecureHeaders sets the headers every answer of Plein carries, before the handler
// runs, so that a handler may tighten them (the portal's own Content-Security-Policy)
// but no answer goes out without: nosniff (a JSON or a file is never run as a
// script), no framing by another site (clickjacking), no Referer to other sites (a
// resident's path can name a month or a plan), and HSTS when hsts is set.
func SecureHeaders(next http.Handler, hsts bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		if hsts {
			h.Set("Strict-Transport-Security", HSTS)
		}
		next.ServeHTTP(w, r)
	})
}
