// Package httpapi holds what every HTTP API transport of Plein shares.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpreq"
	"github.com/plein-nl/plein/platform/problem"
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

// WriteFieldError answers 400 with one field's problem, in English and Dutch (B1).
func WriteFieldError(w http.ResponseWriter, r *http.Request, fe *httpreq.FieldError) {
	writeField(w, r, fe.Error(), fe)
}

// WriteRefused answers a value the database refused (db.ErrDataException) that
// validation let through: still the client's input, so a 400 for the body, said without
// the value and without the database's words. Only the SQLSTATE is logged: the
// database's message may quote the value.
func WriteRefused(ctx context.Context, w http.ResponseWriter, r *http.Request, log *slog.Logger, api string, err error) {
	log.WarnContext(ctx, api+": value refused by the database", "sqlstate", db.SQLState(err))
	fe := httpreq.Refused()
	writeField(w, r, fe.EN, fe)
}

func writeField(w http.ResponseWriter, r *http.Request, detail string, fe *httpreq.FieldError) {
	problem.Write(w, r, problem.Details{Status: http.StatusBadRequest, Detail: detail, DetailNL: fe.NL,
		Errors: []problem.FieldError{{Field: fe.Field, Message: fe.EN}}})
}
