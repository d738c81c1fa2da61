package httpapi

import (
	"net/http"
	"strings"

	"github.com/plein-nl/plein/platform/problem"
)

// Matcher finds the route of a request: an *http.ServeMux.
type Matcher interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// methods are the methods an API route may have, in the order an Allow header lists them.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// NoRoute answers, as problem+json, a request that no route of mux takes; mount it on
// mux at fallback, the pattern that catches the rest ("/api/"). A path that routes take
// with other methods is 405 with an Allow header naming them, any other 404.
func NoRoute(mux Matcher, fallback string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != fallback {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			problem.NotFound(w, r, "no such route: see /api/v1/openapi/")
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		problem.Write(w, r, problem.Details{Status: http.StatusMethodNotAllowed,
			Detail:   r.Method + " is not a method of this route; it allows " + strings.Join(allow, ", "),
			DetailNL: "Dit kan niet met dit adres."})
	})
}
