// Command plein is the one binary of the Plein platform; each subcommand is a role.
//
//	plein dev                        everything in one process on a private PostgreSQL
//	plein serve                      the portal and the APIs (production role)
//	plein work                       the River workers (production role)
//	plein migrate up|status          schema migrations (Plein's and River's)
//	plein tenant apply -f FILE|DIR   validate and apply gemeente configs (--dry-run)
//	plein tenant list | show ID      the tenant registry
//	plein calc month                 one bijstand month: JSON case in, JSON result out
//	plein seed                       a synthetic caseload for demos, tests and benchmarks
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/observe"
)

const usage = `plein — the platform of the coöperatie's gemeenten

Usage:
  plein dev      [--data-dir DIR] [--http-addr ADDR] [--tenants DIR]
  plein serve    [--data-dir DIR]         (PLEIN_HTTP_ADDR, PLEIN_ADMIN_ADDR)
  plein work     [--tenant T] [--data-dir DIR]  (PLEIN_ADMIN_ADDR; --tenant: a silo's own worker)
  plein controlplane [--kubeconfig FILE] [--config FILE] [--identity NAME] [--once] [--data-dir DIR]
                 (PLEIN_CONTROLPLANE: its JSON configuration; PLEIN_ADMIN_ADDR)
  plein migrate  up|status [--data-dir DIR]
  plein tenant   apply -f FILE|DIR [--dry-run] [--author NAME] [--data-dir DIR]
  plein tenant   list [--data-dir DIR]
  plein tenant   show ID [--data-dir DIR]
  plein tenant   suspend|resume ID --reason TEXT [--author NAME] [--data-dir DIR]
  plein tenant   events ID [--data-dir DIR]
  plein tenant   offboard ID --export FILE [--dry-run] --reason TEXT [--author NAME] [--grace 30d] [--data-dir DIR]
  plein tenant   purge ID [--author NAME] [--data-dir DIR]   (after the grace period)
  plein seed     --tenant T --residents N [--period YYYY-MM] [--seed S] [--workers W] [--data-dir DIR]
  plein settle   --tenant T --period YYYY-MM --out DIR [--dry-run] [--acknowledge-stale-law] [--data-dir DIR]
  plein calc     month < case.json        (the calculation engine; no database)
  plein calc     distribution < traject.json  (the minnelijk-traject offers)

Without PLEIN_DATABASE_URL every command uses the private PostgreSQL under the data
directory (default ./.plein), starting it when it is not running.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// PLEIN_CPUPROFILE names a file for a CPU profile of the whole command (go tool
	// pprof), for the benchmarks and an operator chasing a slow run.
	defer observe.CPUProfile(os.Getenv("PLEIN_CPUPROFILE"))()
	err := runIO(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprint(os.Stderr, usage)
			fmt.Fprintln(os.Stderr)
		}
		fmt.Fprintln(os.Stderr, "plein:", err)
		pprof.StopCPUProfile()
		os.Exit(exitCode(err))
	}
}

// usageError is a command line that cannot be understood.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError is a failure with its own exit code (plein settle's 3: waiting for the
// second person's approval).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// run is runIO without standard input.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runIO(ctx, args, strings.NewReader(""), stdout, stderr)
}

// runIO dispatches a subcommand. It is main without the process: tests call it.
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"no command given"}
	}
	switch args[0] {
	case "calc":
		return cmdCalc(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	if cmd, ok := commands[args[0]]; ok {
		// PLEIN_NOW refused or malformed: the command does nothing.
		if _, err := businessClock(args[0], nil); err != nil {
			return err
		}
		return cmd(ctx, args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}

// command is a subcommand without standard input: its arguments after its name.
type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

// commands are the subcommands by name, but for calc and help.
var commands = map[string]command{
	"dev": cmdDev, "serve": cmdServe, "work": cmdWork, "controlplane": cmdControlplane,
	"migrate": cmdMigrate, "tenant": cmdTenant, "seed": cmdSeed, "settle": cmdSettle,
}

// businessClock is the clock of the command name (platform/clock): PLEIN_NOW's
// rehearsal for dev, seed and settle on the private PostgreSQL, refused by every other
// command that opens a database. A rehearsal is logged to log (when not nil) once.
func businessClock(name string, log *slog.Logger) (*clock.Clock, error) {
	private := os.Getenv(db.EnvDatabaseURL) == ""
	c, err := clock.Load(os.Getenv(clock.EnvNow), name, private && (name == "dev" || name == "seed" || name == "settle"))
	if start, ok := c.Rehearsal(); ok && log != nil {
		log.Warn(c.Banner(), "now", start, "shift", time.Until(start).Round(time.Second).String())
	}
	return c, err
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("plein "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// The help texts of --data-dir.
const (
	dataDirHelp    = "data directory of the local PostgreSQL"
	dataDirEnvHelp = dataDirHelp + " (without " + db.EnvDatabaseURL + ")"
)

// dbFlags returns the flag set of a command that opens the database, with its
// --data-dir (help: dataDirHelp or dataDirEnvHelp).
func dbFlags(name string, stderr io.Writer, help string) (*flag.FlagSet, *string) {
	fs := newFlags(name, stderr)
	return fs, fs.String("data-dir", "./.plein", help)
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
