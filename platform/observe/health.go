package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCheckTimeout bounds each readiness check when NewHealth is given no timeout.
const DefaultCheckTimeout = 2 * time.Second

// Health serves the liveness (/healthz) and readiness (/readyz) probes.
type Health struct {
	logger       *slog.Logger
	timeout      time.Duration
	mu           sync.RWMutex
	checks       []check
	shuttingDown atomic.Bool
}

type check struct {
	name string
	fn   func(context.Context) error
}

// NewHealth returns probes whose readiness checks each get timeout (DefaultCheckTimeout
// if zero or less). Failed checks are logged with their full error on logger; the
// response names only the check and a short reason. A nil
// logger discards.
func NewHealth(logger *slog.Logger, timeout time.Duration) *Health {
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Health{logger: logger, timeout: timeout}
}

// AddCheck registers a readiness check: the instance is ready only while fn returns
// nil within the timeout. It panics on an empty or duplicate name or a nil fn, which
// are wiring mistakes.
func (h *Health) AddCheck(name string, fn func(ctx context.Context) error) {
	if name == "" || fn == nil {
		panic("observe: AddCheck needs a name and a function")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.checks {
		if c.name == name {
			panic(fmt.Sprintf("observe: readiness check %q added twice", name))
		}
	}
	h.checks = append(h.checks, check{name: name, fn: fn})
}

// SetShuttingDown makes Readyz fail from now on, so that load balancers stop sending
// traffic before the server shuts down. Healthz keeps succeeding.
func (h *Health) SetShuttingDown() { h.shuttingDown.Store(true) }

// Healthz is the liveness probe: 200 "ok" for as long as the process serves.
func (h *Health) Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// Readiness is the JSON body of Readyz.
type Readiness struct {
	Status  string        `json:"status"` // "ready", "not ready" or "shutting down"
	Failing []FailedCheck `json:"failing,omitempty"`
}

// FailedCheck names a readiness check that failed and why, in a word: "timeout",
// "canceled", "panic" or "failed".
type FailedCheck struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Readyz is the readiness probe: 200 when every check passes, else 503 with the
// failing checks; 503 after SetShuttingDown. The checks run concurrently.
func (h *Health) Readyz(w http.ResponseWriter, r *http.Request) {
	if h.shuttingDown.Load() {
		writeReadiness(w, http.StatusServiceUnavailable, Readiness{Status: "shutting down"})
		return
	}
	h.mu.RLock()
	checks := h.checks
	h.mu.RUnlock()

	failing := make([]*FailedCheck, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			if err := h.run(r.Context(), c); err != nil {
				reason := "failed"
				switch {
				case errors.Is(err, context.DeadlineExceeded):
					reason = "timeout"
				case errors.Is(err, context.Canceled):
					reason = "canceled"
				case errors.Is(err, errPanic):
					reason = "panic"
				}
				h.logger.LogAttrs(r.Context(), slog.LevelWarn, "readiness check failed",
					slog.String("check", c.name), slog.Any("error", err))
				failing[i] = &FailedCheck{Name: c.name, Reason: reason}
			}
		})
	}
	wg.Wait()

	res := Readiness{Status: "ready"}
	for _, f := range failing {
		if f != nil {
			res.Failing = append(res.Failing, *f)
		}
	}
	if len(res.Failing) > 0 {
		res.Status = "not ready"
		writeReadiness(w, http.StatusServiceUnavailable, res)
		return
	}
	writeReadiness(w, http.StatusOK, res)
}

var errPanic = errors.New("check panicked")

// run runs one check under the timeout. A check that ignores its context is abandoned
// when the timeout passes; its goroutine ends whenever the check returns.
func (h *Health) run(ctx context.Context, c check) error {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("%w: %v", errPanic, p)
			}
		}()
		done <- c.fn(ctx)
	}()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w: %w", ctx.Err(), err) // a check that gave up on the deadline
		}
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func writeReadiness(w http.ResponseWriter, code int, res Readiness) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(res)
}

// NewAdminMux returns the mux of the admin port: GET /metrics, /healthz and /readyz.
func NewAdminMux(m *Metrics, h *Health) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /healthz", h.Healthz)
	mux.HandleFunc("GET /readyz", h.Readyz)
	return mux
}
