package httpapi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/problem"
)

var (
	errGone     = errors.New("no such thing")
	errTaken    = errors.New("the name is taken")
	errState    = errors.New("not possible in the current state")
	errInvalid  = errors.New("invalid input")
	errRequired = errors.New("a reason is required")
)

// encode answers err as the API of the test would, and returns the answer and the log.
func encode(t *testing.T, err error) (*httptest.ResponseRecorder, problem.Details, string) {
	t.Helper()
	var logs bytes.Buffer
	api := &httpapi.API{Name: "test api", Log: slog.New(slog.NewJSONHandler(&logs, nil)),
		Names: map[string]string{"name": "naam", "children": "kind", "birth_date": "geboortedatum"},
		Problems: []httpapi.Problem{
			{Err: errGone, Status: http.StatusNotFound, Detail: "no such thing in this tenant"},
			{Err: errTaken, Status: http.StatusConflict, DetailNL: "Deze naam bestaat al.", Field: "name"},
			{Err: errState, Status: http.StatusConflict, FromSentinel: true, DetailNL: "Dit kan nu niet."},
			{Err: authz.ErrForbidden, Status: http.StatusForbidden, Detail: "only operators"},
		}}
	ctx := context.WithValue(context.Background(), kithttp.ContextKeyRequestPath, "/api/v1/x")
	rec := httptest.NewRecorder()
	api.EncodeError(ctx, err, rec)
	p := httpapitest.Problem(t, rec.Result(), rec.Body.Bytes())
	if p.Status != rec.Code || p.Title != http.StatusText(rec.Code) || p.Instance != "/api/v1/x" {
		t.Errorf("%v: problem %+v, want status %d, its title and the instance", err, p, rec.Code)
	}
	return rec, p, logs.String()
}

func TestEncodeError(t *testing.T) {
	t.Parallel()
	invalid := &httpapi.ValidationError{Sentinels: []error{errInvalid}, Fields: []httpapi.FieldError{
		{Field: "name", EN: "is required", NL: "Vul een naam in."},
		{Field: "children[1].birth_date", EN: "is in the future", NL: "Deze datum ligt in de toekomst."}}}
	for _, c := range []struct {
		name        string
		err         error
		status      int
		detail      string // a part of the detail
		detailNL    string // the whole detail_nl
		fields      []string
		internalLog bool
	}{
		{"validation", fmt.Errorf("create: %w", invalid), 400, "invalid input: name: is required; children[1].birth_date: is in the future",
			"Naam: Vul een naam in. Kind 2, geboortedatum: Deze datum ligt in de toekomst.", []string{"name", "children[1].birth_date"}, false},
		{"too large", fmt.Errorf("%w: at most 64 KiB", httpapi.ErrTooLarge), 413, "at most 64 KiB", "Er zijn te veel gegevens opgestuurd.", nil, false},
		{"media type", httpapi.ErrMediaType, 415, "application/json", "De gegevens moeten als JSON worden opgestuurd.", nil, false},
		{"no If-Match", httpapi.ErrPreconditionRequired, 428, "If-Match", "Haal de gegevens eerst op en stuur de versie mee in If-Match.", nil, false},
		{"unauthenticated", authz.ErrUnauthenticated, 401, "authentication required", "U bent niet ingelogd.", nil, false},
		{"forbidden, by the table", fmt.Errorf("x: %w", authz.ErrForbidden), 403, "only operators", "U mag dit niet doen of bekijken.", nil, false},
		{"not found, by the table", fmt.Errorf("get: %w", errGone), 404, "no such thing in this tenant", "Deze pagina of gegevens bestaan niet.", nil, false},
		{"conflict naming a field", fmt.Errorf("create: %w (as cz)", errTaken), 409, "create: the name is taken (as cz)", "Deze naam bestaat al.", []string{"name"}, false},
		{"conflict from the sentinel on", fmt.Errorf("svc: step: %w: the plan is final", errState), 409, "not possible in the current state: the plan is final",
			"Dit kan nu niet.", nil, false},
		{"internal", errors.New("pq: secret table broke"), 500, "request id", "Er ging iets mis aan onze kant. Probeer het later opnieuw.", nil, true},
	} {
		rec, p, logs := encode(t, c.err)
		if rec.Code != c.status || !strings.Contains(p.Detail, c.detail) || p.DetailNL != c.detailNL || !slices.Equal(httpapitest.Fields(p), c.fields) {
			t.Errorf("%s: %d %+v, want %d with %q, %q and fields %v", c.name, rec.Code, p, c.status, c.detail, c.detailNL, c.fields)
		}
		if c.name == "conflict from the sentinel on" && strings.Contains(p.Detail, "svc: step") {
			t.Errorf("%s: detail %q holds the wrapping steps", c.name, p.Detail)
		}
		if strings.Contains(logs, "internal error") != c.internalLog || (c.internalLog && strings.Contains(p.Detail, "secret")) {
			t.Errorf("%s: log %s, detail %q; want the internal error logged only, and never answered", c.name, logs, p.Detail)
		}
		if c.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.name)
		}
	}
}

// TestEncodeErrorRefused: a value the database refused is a 400 on the body, and the
// log holds its SQLSTATE, never the database's message (which quotes the value).
func TestEncodeErrorRefused(t *testing.T) {
	t.Parallel()
	err := db.MapError(fmt.Errorf("insert: %w", &pgconn.PgError{Code: "22021", Message: `invalid byte sequence: "Jan\x00"`}))
	rec, p, logs := encode(t, err)
	if rec.Code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "body" || p.DetailNL == "" || strings.Contains(p.Detail, "Jan") {
		t.Errorf("answer %d %+v, want 400 naming body, without the value", rec.Code, p)
	}
	if !strings.Contains(logs, `"sqlstate":"22021"`) || strings.Contains(logs, "Jan") {
		t.Errorf("log %s, want the SQLSTATE and not the value", logs)
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	errPurpose := errors.New("a purpose is required")
	if err := httpapi.Validation(nil, errInvalid); err != nil {
		t.Errorf("Validation of no fields = %v, want nil", err)
	}
	err := fmt.Errorf("read: %w", httpapi.Validation([]httpapi.FieldError{{Field: "contact.name", EN: "is required", NL: "Vul een naam in."}}, errInvalid))
	var ve *httpapi.ValidationError
	if !errors.Is(err, errInvalid) || !errors.As(err, &ve) || ve.Dutch(nil) != "contact.name: Vul een naam in." {
		t.Errorf("err %v, Dutch %q; want ErrInvalid and the path as it is", err, ve.Dutch(nil))
	}
	for _, c := range []struct {
		purpose      string
		wantRequired bool
		wantErr      bool
	}{
		{"zaak 2026-0042", false, false}, {"", true, true}, {"   ", true, true}, {"zaak", false, true},
		{strings.Repeat("x", 301), false, true}, {"zaak\x00 1", false, true},
	} {
		p, err := httpapi.CheckPurpose(c.purpose, "this resident", errPurpose, errInvalid)
		if (err != nil) != c.wantErr || errors.Is(err, errPurpose) != c.wantRequired || (err != nil && (!errors.Is(err, errInvalid) || p != "")) {
			t.Errorf("CheckPurpose(%q) = %q, %v; want error %v, required %v", c.purpose, p, err, c.wantErr, c.wantRequired)
		}
	}
	if p, _ := httpapi.CheckPurpose("  zaak 7 ", "x", nil); p != "zaak 7" {
		t.Errorf("purpose = %q, want it trimmed", p)
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	errInvalid := errors.New("invalid")
	var f httpapi.Fields
	if err := f.Err(errInvalid); err != nil {
		t.Fatalf("Err with no problems = %v, want nil", err)
	}
	if f.Failed("a", nil, "x") {
		t.Errorf("Failed(nil) = true, want false")
	}
	f.Add("name", "name is required", "Vul een naam in.")
	if !f.Failed("iban", errors.New("bad iban"), "Dit IBAN klopt niet.") {
		t.Errorf("Failed(err) = false, want true")
	}
	err := f.Err(errInvalid)
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, errInvalid) {
		t.Fatalf("Err = %v, want a *ValidationError matching the sentinel", err)
	}
	want := []httpapi.FieldError{{"name", "name is required", "Vul een naam in."}, {"iban", "bad iban", "Dit IBAN klopt niet."}}
	if !slices.Equal(ve.Fields, want) {
		t.Errorf("fields = %+v, want %+v", ve.Fields, want)
	}
}
