package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/problem"
)

// API is one service's HTTP API: what its routes share, and how its errors become
// RFC 9457 problems. A service adds routes and a table of its sentinel errors, not an
// encoder.
type API struct {
	// Name names the API in log lines ("residents api").
	Name string
	// Log receives the internal errors (with their text) and the SQLSTATE of a value
	// the database refused; failed calls are logged by the request log.
	Log *slog.Logger
	// Problems answers the service's sentinel errors, the first match winning.
	Problems []Problem
	// Names are the Dutch names of the fields, for a validation problem's detail_nl
	// (ValidationError.Dutch); nil names a field by its path.
	Names map[string]string
}

// Problem is how the API answers one sentinel error of its service.
type Problem struct {
	// Err is the sentinel, matched with errors.Is; Status the answer's status.
	Err    error
	Status int
	// Detail is the English detail; empty, the error's text, or with FromSentinel its
	// text from the sentinel's on (what stood in the way, without the steps that
	// wrapped it).
	Detail       string
	FromSentinel bool
	// DetailNL is the Dutch detail; empty on a 401, 403 or 404 without a Field,
	// problem's own for that status.
	DetailNL string
	// Field, when set, is named in errors[] with the sentinel's text.
	Field string
}

// Handle mounts pattern on mux: dec reads the request, ep serves it, and its answer is
// written as JSON (EncodeJSON).
func (a *API) Handle(mux Router, pattern string, ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc) {
	a.HandleEncoded(mux, pattern, ep, dec, EncodeJSON)
}

// HandleEncoded is Handle for an answer that enc writes (a file, CSV).
func (a *API) HandleEncoded(mux Router, pattern string, ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc, enc kithttp.EncodeResponseFunc) {
	// observe.Report passes the matched pattern out to the metrics middleware.
	mux.Handle(pattern, observe.Report(a.Server(ep, dec, enc)))
}

// Server is the go-kit server of ep with the API's options: the request's path in the
// context (a problem's instance), and every error answered by the API's encoder.
func (a *API) Server(ep endpoint.Endpoint, dec kithttp.DecodeRequestFunc, enc kithttp.EncodeResponseFunc) *kithttp.Server {
	return kithttp.NewServer(ep, dec, enc,
		kithttp.ServerBefore(kithttp.PopulateRequestContext),
		kithttp.ServerErrorEncoder(a.EncodeError))
}

// NoRequest is the decoder of a route that reads nothing from its request.
func NoRequest(context.Context, *http.Request) (any, error) { return nil, nil }

// EncodeError is the one place where the API's errors become statuses and problems:
// the service's sentinels by its table first, then invalid input 400 (a value the
// database refused too), a body too large 413, of the wrong media type 415, a change
// without If-Match 428, no principal 401, not allowed 403, and anything else a 500
// that is logged here and says nothing of its cause.
func (a *API) EncodeError(ctx context.Context, err error, w http.ResponseWriter) {
	path, _ := ctx.Value(kithttp.ContextKeyRequestPath).(string)
	r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	r.URL.Path = path
	log := a.Log
	if log == nil {
		log = slog.Default()
	}
	if errors.Is(err, db.ErrDataException) {
		// Its text may quote the value: only the code is logged.
		log.WarnContext(ctx, a.Name+": value refused by the database", "sqlstate", db.SQLState(err))
		err = refused()
	}
	for _, p := range a.Problems {
		if errors.Is(err, p.Err) {
			p.write(w, r, err)
			return
		}
	}
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		fe := make([]problem.FieldError, len(ve.Fields))
		for i, f := range ve.Fields {
			fe[i] = problem.FieldError{Field: f.Field, Message: f.EN}
		}
		problem.Write(w, r, problem.Details{Status: http.StatusBadRequest, Detail: ve.Error(), DetailNL: ve.Dutch(a.Names), Errors: fe})
	case errors.Is(err, ErrTooLarge):
		problem.Write(w, r, problem.Details{Status: http.StatusRequestEntityTooLarge, Detail: err.Error(),
			DetailNL: "Er zijn te veel gegevens opgestuurd."})
	case errors.Is(err, ErrMediaType):
		problem.Write(w, r, problem.Details{Status: http.StatusUnsupportedMediaType, Detail: err.Error(),
			DetailNL: "De gegevens moeten als JSON worden opgestuurd."})
	case errors.Is(err, ErrPreconditionRequired):
		problem.Write(w, r, problem.Details{Status: http.StatusPreconditionRequired, Detail: err.Error(),
			DetailNL: "Haal de gegevens eerst op en stuur de versie mee in If-Match."})
	case errors.Is(err, authz.ErrUnauthenticated):
		problem.Unauthorized(w, r, "authentication required")
	case errors.Is(err, authz.ErrForbidden):
		problem.Forbidden(w, r, "not allowed for this principal in this tenant")
	default:
		log.ErrorContext(ctx, a.Name+": internal error", "err", err)
		problem.Internal(w, r)
	}
}

func (p Problem) write(w http.ResponseWriter, r *http.Request, err error) {
	d := problem.Details{Status: p.Status, Detail: p.Detail, DetailNL: p.DetailNL}
	if d.Detail == "" {
		d.Detail = err.Error()
		if i := strings.Index(d.Detail, p.Err.Error()); p.FromSentinel && i >= 0 {
			d.Detail = d.Detail[i:]
		}
	}
	if p.Field != "" {
		d.Errors = []problem.FieldError{{Field: p.Field, Message: p.Err.Error()}}
	}
	if d.DetailNL == "" && d.Errors == nil {
		switch p.Status {
		case http.StatusNotFound:
			problem.NotFound(w, r, d.Detail)
			return
		case http.StatusForbidden:
			problem.Forbidden(w, r, d.Detail)
			return
		case http.StatusUnauthorized:
			problem.Unauthorized(w, r, d.Detail)
			return
		}
	}
	problem.Write(w, r, d)
}
