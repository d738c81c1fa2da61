package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpreq"
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

// TestWriteRefused: a value the database refused is a 400 on the body, and the log
// holds its SQLSTATE, never the database's message (which quotes the value).
func TestWriteRefused(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	err := db.MapError(fmt.Errorf("insert: %w", &pgconn.PgError{Code: "22021", Message: `invalid byte sequence: "Jan\x00"`}))
	rec := httptest.NewRecorder()
	httpapi.WriteRefused(context.Background(), rec, httptest.NewRequest(http.MethodPost, "/x", nil), log, "test api", err)
	var body struct {
		Status int `json:"status"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &body) != nil || len(body.Errors) != 1 || body.Errors[0].Field != "body" {
		t.Errorf("answer %d %s, want 400 naming body", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), `"sqlstate":"22021"`) || strings.Contains(logs.String(), "Jan") {
		t.Errorf("log %s, want the SQLSTATE and not the value", logs.String())
	}
	rec = httptest.NewRecorder()
	httpapi.WriteFieldError(rec, httptest.NewRequest(http.MethodPost, "/x", nil), &httpreq.FieldError{Field: "reason", EN: "is required", NL: "Vul een reden in."})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"reason"`) || !strings.Contains(rec.Body.String(), "Vul een reden in.") {
		t.Errorf("field error answer %d %s", rec.Code, rec.Body)
	}
}
