package observe

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/pprof"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// EnvLogLevel names the level of the roles' logs (DEBUG, INFO, WARN, ERROR).
const EnvLogLevel = "PLEIN_LOG_LEVEL"

// LevelFromEnv is the level of PLEIN_LOG_LEVEL, INFO if unset or unknown.
func LevelFromEnv() slog.Level {
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(os.Getenv(EnvLogLevel))); err != nil {
		level = slog.LevelInfo
	}
	return level
}

// NewEnvLogger is the logger of the production roles: JSON lines, always, at the
// level of PLEIN_LOG_LEVEL.
func NewEnvLogger(w io.Writer) *slog.Logger {
	return NewLogger(w, LevelFromEnv())
}

// DevQuiet are the starts of library INFO messages that `plein dev` logs at DEBUG:
// routine chatter a developer does not need (River's migrations, its producers'
// periodic job counts, its start, stop and leader election) and the migrations, one
// line per file on a fresh data dir. River's INFO lines about failing jobs ("Job
// errored", "Job panicked") and Plein's other lines are kept.
var DevQuiet = []string{
	"rivermigrate.",                 // rivermigrate.Migrator[v5.Tx]: Applied migration / No migrations to apply
	"producer: Producer job counts", // every producer, periodically
	"River client started",
	"River client stopped",
	"Client was elected leader",
	"migrated", // Plein's and River's migrations, one line each on a fresh data dir
}

// NewDevLogger is the logger of `plein dev`: human-readable lines when w is a
// terminal, JSON otherwise, with the DevQuiet INFO lines at DEBUG.
func NewDevLogger(w io.Writer) *slog.Logger {
	log := NewEnvLogger(w)
	if IsTerminal(w) {
		log = NewTextLogger(w, LevelFromEnv())
	}
	return slog.New(Demote(log.Handler(), DevQuiet...))
}

// Admin is the admin endpoint of a role without the portal: health and metrics.
type Admin struct {
	Health *Health
	Mux    *http.ServeMux
	Reg    prometheus.Registerer
}

// NewAdmin builds the admin endpoint with a fresh registry and a "database" readiness
// check calling ping.
func NewAdmin(log *slog.Logger, ping func(ctx context.Context) error) Admin {
	reg := NewRegistry()
	m, _ := NewMetrics(reg)
	h := NewHealth(log, 0)
	h.AddCheck("database", ping)
	return Admin{Health: h, Mux: NewAdminMux(m, h), Reg: reg}
}

// RunRole runs the parts of a long-running role until ctx ends or one fails; then the
// health probe says the process is shutting down. An ended ctx is no error.
func RunRole(ctx context.Context, health *Health, parts ...func(ctx context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, part := range parts {
		g.Go(func() error { return part(gctx) })
	}
	g.Go(func() error { <-gctx.Done(); health.SetShuttingDown(); return nil })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// CPUProfile starts a CPU profile of the process into the file at path (go tool
// pprof) and returns what stops it; with an empty path, or a file it cannot write, it
// profiles nothing.
func CPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
