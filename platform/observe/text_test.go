package observe_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// textLine logs through a fresh text logger and returns the one line.
func textLine(t *testing.T, ctx context.Context, log func(ctx context.Context, l *slog.Logger)) string {
	t.Helper()
	var buf bytes.Buffer
	log(ctx, observe.NewTextLogger(&buf, slog.LevelDebug))
	raw := buf.String()
	if n := strings.Count(raw, "\n"); n != 1 || !strings.HasSuffix(raw, "\n") {
		t.Fatalf("got %d lines, want 1: %q", n, raw)
	}
	return raw
}

func TestTextLoggerFormat(t *testing.T) {
	t.Parallel()
	ctx := observe.WithRequestID(tenant.WithID(context.Background(), "enschede"), "r1")
	tests := []struct {
		name string
		log  func(ctx context.Context, l *slog.Logger)
		want string // regexp of the whole line
	}{
		{"message only", func(ctx context.Context, l *slog.Logger) {
			l.Info("listening")
		}, `^\d\d:\d\d:\d\d INFO  listening\n$`},
		{"attrs", func(ctx context.Context, l *slog.Logger) {
			l.WarnContext(ctx, "slow query", "took", "2s", "sql", "select 1")
		}, `^\d\d:\d\d:\d\d WARN  slow query  tenant=enschede request_id=r1 took=2s sql="select 1"\n$`},
		{"level width", func(ctx context.Context, l *slog.Logger) {
			l.Error("failed")
		}, `^\d\d:\d\d:\d\d ERROR failed\n$`},
		{"groups", func(ctx context.Context, l *slog.Logger) {
			l.With("top", 1).WithGroup("a").With("x", 1).WithGroup("b").InfoContext(ctx, "m", "z", 3)
		}, `^\d\d:\d\d:\d\d INFO  m  top=1 tenant=enschede request_id=r1 a\.x=1 a\.b\.z=3\n$`},
		{"attr named like a built-in", func(ctx context.Context, l *slog.Logger) {
			l.Info("m", "msg", "kept", "level", "kept")
		}, `^\d\d:\d\d:\d\d INFO  m  msg=kept level=kept\n$`},
		{"newline in message", func(ctx context.Context, l *slog.Logger) {
			l.Info("two\nlines 999993653", "v", "a\nb")
		}, `^\d\d:\d\d:\d\d INFO  "two\\nlines \[bsn\]"  v="a\\nb"\n$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := textLine(t, ctx, tt.log)
			if !regexp.MustCompile(tt.want).MatchString(raw) {
				t.Errorf("got line %q, want it to match %s", raw, tt.want)
			}
		})
	}
}

func TestTextLoggerLevel(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := observe.NewTextLogger(&buf, slog.LevelInfo)
	l.Debug("below")
	l.Info("at")
	if got := strings.Count(buf.String(), "\n"); got != 1 || strings.Contains(buf.String(), "below") {
		t.Errorf("got %q, want only the INFO line", buf.String())
	}
}

func TestDemote(t *testing.T) {
	t.Parallel()
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var buf bytes.Buffer
		l := slog.New(observe.Demote(observe.NewLogger(&buf, level).Handler(), "producer: ", "rivermigrate."))
		l.Info("producer: Producer job counts", "queue", "default")
		l.With("k", "v").WithGroup("g").Info("rivermigrate.Migrator[v5.Tx]: Applied migration")
		l.Info("migrated", "source", "plein")
		l.Warn("producer: Failed to cleanly shutdown producer after all attempts")
		out := buf.String()
		lines := strings.Count(out, "\n")
		if level == slog.LevelInfo {
			if lines != 2 || strings.Contains(out, "job counts") || strings.Contains(out, "Applied migration") {
				t.Errorf("at INFO got %s, want the demoted lines left out", out)
			}
			continue
		}
		if lines != 4 || strings.Count(out, `"level":"DEBUG"`) != 2 || !strings.Contains(out, `"k":"v"`) {
			t.Errorf("at DEBUG got %s, want the demoted lines at DEBUG", out)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	if observe.IsTerminal(&bytes.Buffer{}) {
		t.Error("IsTerminal(buffer) = true")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if observe.IsTerminal(f) {
		t.Error("IsTerminal(regular file) = true")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if observe.IsTerminal(w) {
		t.Error("IsTerminal(pipe) = true")
	}
}
