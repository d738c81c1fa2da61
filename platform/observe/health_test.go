package observe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/observe"
)

func TestHealthz(t *testing.T) {
	t.Parallel()
	h := observe.NewHealth(nil, 0)
	h.AddCheck("db", func(context.Context) error { return errors.New("down") })
	h.SetShuttingDown()
	w := httptest.NewRecorder()
	h.Healthz(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != http.StatusOK || w.Body.String() != "ok\n" {
		t.Errorf("got %d %q, want 200 %q: liveness ignores checks and shutdown", w.Code, w.Body.String(), "ok\n")
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name     string
		checks   map[string]func(context.Context) error
		shutdown bool
		wantCode int
		want     observe.Readiness
	}{
		{"no checks", nil, false, http.StatusOK, observe.Readiness{Status: "ready"}},
		{"all pass", map[string]func(context.Context) error{"db": ok, "river": ok}, false,
			http.StatusOK, observe.Readiness{Status: "ready"}},
		{"one fails", map[string]func(context.Context) error{
			"db":    func(context.Context) error { return errors.New("dial 10.0.0.7:5432: password authentication failed") },
			"river": ok,
		}, false, http.StatusServiceUnavailable,
			observe.Readiness{Status: "not ready", Failing: []observe.FailedCheck{{Name: "db", Reason: "failed"}}}},
		{"timeout, even when ignoring ctx", map[string]func(context.Context) error{
			"slow": func(context.Context) error { time.Sleep(time.Second); return nil },
		}, false, http.StatusServiceUnavailable,
			observe.Readiness{Status: "not ready", Failing: []observe.FailedCheck{{Name: "slow", Reason: "timeout"}}}},
		{"timeout honoured by check", map[string]func(context.Context) error{
			"slow": func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
		}, false, http.StatusServiceUnavailable,
			observe.Readiness{Status: "not ready", Failing: []observe.FailedCheck{{Name: "slow", Reason: "timeout"}}}},
		{"panic", map[string]func(context.Context) error{
			"odd": func(context.Context) error { panic("nil map") },
		}, false, http.StatusServiceUnavailable,
			observe.Readiness{Status: "not ready", Failing: []observe.FailedCheck{{Name: "odd", Reason: "panic"}}}},
		{"shutting down", map[string]func(context.Context) error{"db": ok}, true,
			http.StatusServiceUnavailable, observe.Readiness{Status: "shutting down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			h := observe.NewHealth(observe.NewLogger(&logs, slog.LevelInfo), 50*time.Millisecond)
			for name, fn := range tt.checks {
				h.AddCheck(name, fn)
			}
			if tt.shutdown {
				h.SetShuttingDown()
			}
			w := httptest.NewRecorder()
			h.Readyz(w, httptest.NewRequest("GET", "/readyz", nil))
			var got observe.Readiness
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, w.Body.String())
			}
			if w.Code != tt.wantCode || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %d %+v, want %d %+v", w.Code, got, tt.wantCode, tt.want)
			}
			if strings.Contains(w.Body.String(), "10.0.0.7") {
				t.Errorf("got body %s, want no internal error text", w.Body.String())
			}
			if tt.wantCode == http.StatusServiceUnavailable && !tt.shutdown && !strings.Contains(logs.String(), "readiness check failed") {
				t.Errorf("got logs %q, want the failure logged", logs.String())
			}
		})
	}
}

func TestReadyzFlips(t *testing.T) {
	t.Parallel()
	h := observe.NewHealth(nil, time.Second)
	var down bool
	h.AddCheck("db", func(context.Context) error {
		if down {
			return errors.New("down")
		}
		return nil
	})
	mux := observe.NewAdminMux(newMetrics(t), h)
	steps := []struct {
		name string
		do   func()
		want int
	}{
		{"healthy", func() {}, http.StatusOK},
		{"check fails", func() { down = true }, http.StatusServiceUnavailable},
		{"check recovers", func() { down = false }, http.StatusOK},
		{"shutting down", h.SetShuttingDown, http.StatusServiceUnavailable},
	}
	for _, s := range steps { // in order: each step builds on the last
		s.do()
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
		if w.Code != s.want {
			t.Errorf("%s: got %d, want %d: %s", s.name, w.Code, s.want, w.Body.String())
		}
	}
}

func TestAddCheckPanicsOnWiringMistakes(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	tests := []struct {
		name string
		add  func(h *observe.Health)
	}{
		{"empty name", func(h *observe.Health) { h.AddCheck("", ok) }},
		{"nil fn", func(h *observe.Health) { h.AddCheck("db", nil) }},
		{"duplicate", func(h *observe.Health) { h.AddCheck("db", ok); h.AddCheck("db", ok) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Error("got no panic, want one")
				}
			}()
			tt.add(observe.NewHealth(nil, 0))
		})
	}
}

func TestAdminMux(t *testing.T) {
	t.Parallel()
	mux := observe.NewAdminMux(newMetrics(t), observe.NewHealth(nil, 0))
	tests := []struct {
		path     string
		wantCode int
		wantBody string
	}{
		{"/healthz", http.StatusOK, "ok"},
		{"/readyz", http.StatusOK, `"ready"`},
		{"/metrics", http.StatusOK, "go_goroutines"},
		{"/other", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
			if w.Code != tt.wantCode || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("GET %s = %d %.80q, want %d containing %q", tt.path, w.Code, w.Body.String(), tt.wantCode, tt.wantBody)
			}
		})
	}
}
