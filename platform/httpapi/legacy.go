package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpreq"
	"github.com/plein-nl/plein/platform/problem"
)

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
