// Command testpg runs a command (the test suite) against one private PostgreSQL cluster
// that it starts first and removes afterwards:
//
//	go run ./tools/testpg go test -race -count=1 ./...
//
// Without it every test process that uses platform/db/dbtest starts a cluster of its own
// and migrates a template database (some 2–4 seconds a package on 2 cores). With it the
// processes share one server through PLEIN_TEST_DATABASE_URL, and the first one to need
// it migrates a template that all of them clone (see dbtest). Tests that need a server of
// their own (crash and restart tests, the plein CLI's data directories) still start one.
//
// The cluster runs with fsync off: it lives only as long as the command, and no test
// here relies on it surviving a crash of the machine. When PLEIN_TEST_DATABASE_URL is
// set already, testpg runs the command on that server unchanged.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/db/pgcluster"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: testpg COMMAND [ARG...]")
		os.Exit(2)
	}
	code, err := run(os.Args[1], os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "testpg:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(name string, args []string) (int, error) {
	// Ctrl-C reaches the command too (same process group): wait for it to end, then
	// remove the cluster.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	if os.Getenv(dbtest.EnvURL) == "" {
		c, err := start()
		if err != nil {
			return 1, err
		}
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = c.Remove(ctx)
		}()
		os.Setenv(dbtest.EnvURL, c.URL(pgcluster.Superuser, "postgres"))
	}
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func start() (*pgcluster.Cluster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	return pgcluster.StartThrowaway(ctx)
}
