package observe

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// NewTextLogger returns a logger like NewLogger — the tenant and request id of the
// context added, every BSN and IBAN masked — that writes one human-readable line
// per record, for a terminal:
//
//	15:04:05 INFO  message  key=value group.key=value
//
// The attributes are rendered as slog.TextHandler renders them. Production roles
// log JSON (NewLogger); this is for a developer's terminal.
func NewTextLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(NewHandler(newTextHandler(w, level)))
}

// IsTerminal reports whether w is a file on a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// textHandler writes the time, level and message itself and leaves the attributes
// to a slog.TextHandler that writes into a buffer shared under a lock. It is
// wrapped by NewHandler, which never gives it a group.
type textHandler struct {
	level slog.Leveler
	out   *textOut
	attrs slog.Handler // renders the attributes only, into out.buf
}

type textOut struct {
	mu  sync.Mutex
	w   io.Writer
	buf bytes.Buffer
}

func newTextHandler(w io.Writer, level slog.Leveler) *textHandler {
	out := &textOut{w: w}
	return &textHandler{level: level, out: out, attrs: slog.NewTextHandler(&out.buf, nil)}
}

func (h *textHandler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.level.Level()
}

func (h *textHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &textHandler{level: h.level, out: h.out, attrs: h.attrs.WithAttrs(as)}
}

func (h *textHandler) WithGroup(name string) slog.Handler {
	return &textHandler{level: h.level, out: h.out, attrs: h.attrs.WithGroup(name)}
}

func (h *textHandler) Handle(ctx context.Context, r slog.Record) error {
	var line bytes.Buffer
	if !r.Time.IsZero() {
		line.WriteString(r.Time.Format("15:04:05"))
		line.WriteByte(' ')
	}
	lvl := r.Level.String()
	line.WriteString(lvl)
	for n := len(lvl); n < 6; n++ {
		line.WriteByte(' ')
	}
	line.WriteString(oneLine(r.Message))

	// The attributes: a record without time or message, so the TextHandler writes
	// `level=L msg="" k=v …`; the fixed start is cut off.
	attrs := slog.NewRecord(time.Time{}, r.Level, "", 0)
	r.Attrs(func(a slog.Attr) bool { attrs.AddAttrs(a); return true })
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	h.out.buf.Reset()
	if err := h.attrs.Handle(ctx, attrs); err != nil {
		return err
	}
	rest := strings.TrimPrefix(h.out.buf.String(), "level="+lvl+` msg=""`)
	rest = strings.TrimSuffix(rest, "\n")
	if rest != "" {
		line.WriteByte(' ')
		line.WriteString(rest)
	}
	line.WriteByte('\n')
	_, err := h.out.w.Write(line.Bytes())
	return err
}

// oneLine returns s, quoted if it holds a newline or another unprintable character,
// so that a record stays on one line.
func oneLine(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// Demote returns a handler that handles the INFO records of inner whose message
// starts with one of prefixes as DEBUG records, so that at the default level they
// are left out. It quiets the routine INFO lines of libraries (River's producer
// job counts, its migrations) on a developer's terminal; records at WARN and above
// are never touched.
func Demote(inner slog.Handler, prefixes ...string) slog.Handler {
	return &demote{inner: inner, prefixes: prefixes}
}

type demote struct {
	inner    slog.Handler
	prefixes []string
}

func (h *demote) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *demote) WithAttrs(as []slog.Attr) slog.Handler {
	return &demote{inner: h.inner.WithAttrs(as), prefixes: h.prefixes}
}

func (h *demote) WithGroup(name string) slog.Handler {
	return &demote{inner: h.inner.WithGroup(name), prefixes: h.prefixes}
}

func (h *demote) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelInfo && h.matches(r.Message) {
		if !h.inner.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r.Level = slog.LevelDebug
	}
	return h.inner.Handle(ctx, r)
}

func (h *demote) matches(msg string) bool {
	for _, p := range h.prefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
