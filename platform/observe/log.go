package observe

import (
	"context"
	"io"
	"log/slog"
	"slices"

	"github.com/plein-nl/plein/platform/tenant"
)

// Keys of the attributes the handler adds from the context.
const (
	TenantKey    = "tenant"
	RequestIDKey = "request_id"
)

// NewLogger returns a logger that writes JSON lines to w at level and above, with the
// tenant and request id of the context (use the *Context logging methods) and with
// every BSN and IBAN masked. See NewHandler.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// NewHandler wraps inner in a handler that adds the tenant (from tenant.FromContext)
// and request id (from RequestID) of the context as top-level attributes, and masks
// every BSN and IBAN in the message, in attribute keys and string values, in groups,
// in errors and in other values as they would be rendered. LogValuers are resolved
// before they are inspected.
//
// It keeps WithGroup to itself, so that the tenant and request id stay at the top
// level of a line however deep the logger's groups are.
func NewHandler(inner slog.Handler) slog.Handler {
	return &handler{inner: inner}
}

type handler struct {
	inner  slog.Handler // never given a group, only top-level attributes
	groups []group      // open groups, outermost first
}

// group is an open WithGroup with the (redacted) attributes added inside it.
type group struct {
	name  string
	attrs []slog.Attr
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if len(as) == 0 {
		return h
	}
	as = redactAttrs(as)
	if len(h.groups) == 0 {
		return &handler{inner: h.inner.WithAttrs(as)}
	}
	gs := slices.Clone(h.groups)
	last := &gs[len(gs)-1]
	last.attrs = append(slices.Clip(last.attrs), as...)
	return &handler{inner: h.inner, groups: gs}
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{inner: h.inner, groups: append(slices.Clip(h.groups), group{name: name})}
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, redact(r.Message), r.PC)
	if id, ok := tenant.FromContext(ctx); ok {
		out.AddAttrs(slog.String(TenantKey, string(id)))
	}
	if id := RequestID(ctx); id != "" {
		out.AddAttrs(slog.String(RequestIDKey, redact(id)))
	}
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, redactAttr(a))
		return true
	})
	// Rebuild the open groups around the record's attributes, innermost first.
	for i := len(h.groups) - 1; i >= 0; i-- {
		g := h.groups[i]
		inside := make([]slog.Attr, 0, len(g.attrs)+len(attrs))
		inside = append(append(inside, g.attrs...), attrs...)
		attrs = []slog.Attr{{Key: g.name, Value: slog.GroupValue(inside...)}}
	}
	out.AddAttrs(attrs...)
	return h.inner.Handle(ctx, out)
}
