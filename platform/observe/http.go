package observe

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
)

// Label values used when a request has no route or no tenant.
const (
	// UnmatchedRoute is the route label of a request no pattern matched (404, 405).
	UnmatchedRoute = "unmatched"
	// NoTenant is the tenant label of a request without a tenant. It is not a valid
	// tenant id, so it never collides with one.
	NoTenant = "-"
)

type infoKey struct{}

// requestInfo is the mutable record through which code inside the middleware reports
// the route and tenant back out. It outlives the derived requests the inner code makes.
type requestInfo struct {
	mu       sync.Mutex
	route    string
	explicit bool // route came from SetRoute, not from a Pattern seen on the way out
	tenant   tenant.ID
}

// SetRoute reports the route of the request in ctx to the HTTP middleware, for its
// route label. The last call wins. route must come from a bounded set, such as the
// pattern of a ServeMux: it becomes a metric label. Without the middleware it does
// nothing.
func SetRoute(ctx context.Context, route string) {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok && route != "" {
		info.mu.Lock()
		info.route, info.explicit = route, true
		info.mu.Unlock()
	}
}

// SetTenant reports the tenant of the request in ctx to the HTTP middleware, for its
// tenant label and log line. The last call wins; an invalid id is ignored. Without the
// middleware it does nothing.
func SetTenant(ctx context.Context, id tenant.ID) {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok && id.Valid() {
		info.mu.Lock()
		info.tenant = id
		info.mu.Unlock()
	}
}

// Report wraps next so that the route pattern and the tenant of the request it sees
// are reported to the HTTP middleware further out (see SetRoute and SetTenant). Put it
// inside tenant middleware, or behind a nested ServeMux.
func Report(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if r.Pattern != "" && r.Method != http.MethodConnect {
			SetRoute(ctx, r.Pattern)
		}
		if id, ok := tenant.FromContext(ctx); ok {
			SetTenant(ctx, id)
		}
		next.ServeHTTP(w, r)
	})
}

// observed records the Pattern a ServeMux set on r, unless a route is known already:
// an explicit one, or one seen further in by another layer of middleware.
func (info *requestInfo) observed(r *http.Request) {
	// For CONNECT a ServeMux may put the raw path in Pattern: unbounded.
	if r.Pattern == "" || r.Method == http.MethodConnect {
		return
	}
	info.mu.Lock()
	if info.route == "" {
		info.route = r.Pattern
	}
	info.mu.Unlock()
}

// labels returns the route and tenant of the request; ctx is the middleware's own.
func (info *requestInfo) labels(ctx context.Context) (route string, id tenant.ID) {
	info.mu.Lock()
	route, id = info.route, info.tenant
	info.mu.Unlock()
	if route == "" {
		route = UnmatchedRoute
	}
	if id == "" {
		id, _ = tenant.FromContext(ctx)
	}
	return route, id
}

func tenantLabel(id tenant.ID) string {
	if id == "" {
		return NoTenant
	}
	return string(id)
}

// begin prepares a request for observation: it adopts or assigns the request id,
// finds or stores the requestInfo, and wraps w to capture the status code.
func begin(w http.ResponseWriter, r *http.Request) (*statusWriter, *http.Request, *requestInfo) {
	ctx := r.Context()
	id := RequestID(ctx)
	if id == "" {
		if id = r.Header.Get(RequestIDHeader); !validRequestID(id) {
			id = NewRequestID()
		}
		ctx = WithRequestID(ctx, id)
	}
	if w.Header().Get(RequestIDHeader) == "" {
		w.Header().Set(RequestIDHeader, id)
	}
	info, ok := ctx.Value(infoKey{}).(*requestInfo)
	if !ok {
		info = &requestInfo{}
		ctx = context.WithValue(ctx, infoKey{}, info)
	}
	return &statusWriter{ResponseWriter: w, status: http.StatusOK}, r.WithContext(ctx), info
}

// InstrumentHTTP wraps next — normally the ServeMux — to count and time every request
// in plein_http_requests_total and plein_http_request_duration_seconds, labelled by
// route pattern, method, status code and tenant (see the package documentation for how
// route and tenant are found). It also adopts the X-Request-ID of the request if it is
// a sane token, or assigns a new one, and puts it in the context and on the response.
func (m *Metrics) InstrumentHTTP(next http.Handler) http.Handler {
	return observeHTTP(next, func(_ *http.Request, o outcome) {
		values := []string{o.route, o.method, strconv.Itoa(o.code), tenantLabel(o.tenant)}
		m.httpDuration.WithLabelValues(values...).Observe(o.took.Seconds())
		m.httpRequests.WithLabelValues(values...).Inc()
	})
}

// LogRequests wraps next to log one line per request: Info for success, Warn for a
// 4xx, Error for a 5xx or a panic, with method, route, status, duration_ms, tenant and
// request_id. It never logs the path or query string, which may hold personal data.
// It assigns a request id like Metrics.InstrumentHTTP when it is the outer of the two.
func LogRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return observeHTTP(next, func(inner *http.Request, o outcome) {
		level := slog.LevelInfo
		switch {
		case o.code >= 500:
			level = slog.LevelError
		case o.code >= 400:
			level = slog.LevelWarn
		}
		ctx := inner.Context()
		if _, ok := tenant.FromContext(ctx); !ok && o.tenant != "" {
			ctx = tenant.WithID(ctx, o.tenant) // so the handler adds it like everywhere else
		}
		logger.LogAttrs(ctx, level, "http request",
			slog.String("method", o.method),
			slog.String("route", o.route),
			slog.Int("status", o.code),
			slog.Float64("duration_ms", float64(o.took.Microseconds())/1000),
		)
	})
}

// outcome is what InstrumentHTTP and LogRequests report of a request that is over.
type outcome struct {
	route, method string
	tenant        tenant.ID
	code          int // 500 for a panic
	took          time.Duration
}

// observeHTTP wraps next so that done hears the outcome of every request once it is
// over, a panic included; inner is the request as next saw it.
func observeHTTP(next http.Handler, done func(inner *http.Request, o outcome)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, inner, info := begin(w, r)
		panicked := true
		defer func() {
			info.observed(inner)
			o := outcome{method: methodLabel(r.Method), code: sw.status}
			o.route, o.tenant = info.labels(r.Context())
			if panicked {
				o.code = http.StatusInternalServerError
			}
			o.took = time.Since(start)
			done(inner, o)
		}()
		next.ServeHTTP(sw, inner)
		panicked = false
	})
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// statusWriter captures the status code sent. Unwrap lets http.ResponseController
// reach the features of the writer underneath.
type statusWriter struct {
	http.ResponseWriter
	status int
	sent   bool // the final (non-1xx) status has been sent
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.sent && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status, w.sent = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(b)
}

// Flush keeps streaming handlers that assert http.Flusher working.
func (w *statusWriter) Flush() {
	w.sent = true
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
