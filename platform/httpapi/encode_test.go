package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-kit/kit/endpoint"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
)

func TestEncodeJSON(t *testing.T) {
	t.Parallel()
	type thing struct {
		ID string `json:"id"`
	}
	for _, c := range []struct {
		name                 string
		resp                 any
		status               int
		body, location, etag string
	}{
		{"plain", thing{"a"}, 200, `{"id":"a"}` + "\n", "", ""},
		{"created", httpapi.Response{Status: 201, Location: "/x/a", Version: 1, Body: thing{"a"}}, 201, `{"id":"a"}` + "\n", "/x/a", `"1"`},
		{"read at a version", httpapi.Response{Version: 7, Body: thing{"b"}}, 200, `{"id":"b"}` + "\n", "", `"7"`},
		{"no content", httpapi.Response{Status: http.StatusNoContent}, 204, "", "", ""},
	} {
		rec := httptest.NewRecorder()
		if err := httpapi.EncodeJSON(context.Background(), rec, c.resp); err != nil {
			t.Fatal(err)
		}
		h := rec.Header()
		wantType := "application/json"
		if c.status == 204 {
			wantType = ""
		}
		if rec.Code != c.status || rec.Body.String() != c.body || h.Get("Location") != c.location || h.Get("ETag") != c.etag ||
			h.Get("Cache-Control") != "no-store" || h.Get("Content-Type") != wantType {
			t.Errorf("%s: %d %q %v; want %d %q, Location %q, ETag %q", c.name, rec.Code, rec.Body, h, c.status, c.body, c.location, c.etag)
		}
	}
	// What cannot be encoded is an error before anything is written.
	rec := httptest.NewRecorder()
	if err := httpapi.EncodeJSON(context.Background(), rec, map[string]any{"f": func() {}}); err == nil || rec.Body.Len() != 0 {
		t.Errorf("encoding a func: %v, %q; want an error and nothing written", err, rec.Body)
	}
}

func TestNoRoute(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.Handle("GET /api/v1/things/{id}", ok)
	mux.Handle("PATCH /api/v1/things/{id}", ok)
	mux.Handle("POST /api/v1/things", ok)
	mux.Handle("/api/", httpapi.NoRoute(mux, "/api/"))
	for _, c := range []struct {
		method, path, allow string
		status              int
	}{
		{http.MethodGet, "/api/v1/things/1", "", 200},
		{http.MethodDelete, "/api/v1/things/1", "GET, HEAD, PATCH", 405},
		{http.MethodPut, "/api/v1/things", "POST", 405},
		{http.MethodGet, "/api/v1/nothing-here", "", 404},
		{http.MethodPost, "/api/v1/things/1/more", "", 404},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: %d, Allow %q; want %d, %q", c.method, c.path, rec.Code, rec.Header().Get("Allow"), c.status, c.allow)
		}
		if c.status != 200 {
			p := httpapitest.Problem(t, rec.Result(), rec.Body.Bytes())
			if p.Status != c.status || p.DetailNL == "" || (c.status == 405 && !strings.Contains(p.Detail, c.allow)) {
				t.Errorf("%s %s: problem %+v", c.method, c.path, p)
			}
		}
	}
}

func TestEndpoint(t *testing.T) {
	t.Parallel()
	type req struct{ n int }
	var called []string
	mw := httpapi.Middleware(func(method string) endpoint.Middleware {
		return func(next endpoint.Endpoint) endpoint.Endpoint {
			return func(ctx context.Context, r any) (any, error) {
				called = append(called, method)
				return next(ctx, r)
			}
		}
	})
	double := httpapi.Endpoint(func(_ context.Context, r req) (int, error) {
		if r.n < 0 {
			return 0, errors.New("negative")
		}
		return 2 * r.n, nil
	}, func(n int) string { return strings.Repeat("x", n) })
	if got, err := mw.Wrap("Double", double)(context.Background(), req{2}); got != "xxxx" || err != nil || len(called) != 1 || called[0] != "Double" {
		t.Errorf("Double(2) = %v, %v (called %v); want xxxx through the middleware", got, err, called)
	}
	if got, err := httpapi.Middleware(nil).Wrap("Double", double)(context.Background(), req{-1}); got != nil || err == nil {
		t.Errorf("Double(-1) = %v, %v; want the error and no answer", got, err)
	}
}
