package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/db"
)

// The tests of PLEIN_NOW set the environment, so they are not parallel: they run before
// the parallel tests of the package resume.

// TestClockRefusedOutsideRehearsal: PLEIN_NOW is refused by the production roles and by
// dev, seed and settle on a real database, before anything starts; a bad value is
// refused by name with an example, and the command does nothing.
func TestClockRefusedOutsideRehearsal(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv(clock.EnvNow, "2026-06-24")
	t.Setenv(db.EnvDatabaseURL, "")
	for _, args := range [][]string{
		{"serve"}, {"work"}, {"controlplane", "--once"}, {"migrate", "up"}, {"tenant", "list"},
	} {
		_, _, err := runCLI(t, append(args, "--data-dir", data)...)
		if !errors.Is(err, clock.ErrRefused) || !strings.Contains(err.Error(), "plein "+args[0]) {
			t.Errorf("plein %s with PLEIN_NOW: %v, want it refused by name", args[0], err)
		}
	}
	t.Setenv(db.EnvDatabaseURL, "postgres://plein_app@db.invalid/plein")
	for _, args := range [][]string{
		{"dev"}, {"seed", "--tenant", "zwolle", "--residents", "1"}, {"settle", "--tenant", "zwolle", "--period", "2026-06", "--out", data},
	} {
		_, _, err := runCLI(t, append(args, "--data-dir", data)...)
		if !errors.Is(err, clock.ErrRefused) || !strings.Contains(err.Error(), db.EnvDatabaseURL) {
			t.Errorf("plein %s with PLEIN_NOW and %s: %v, want it refused, saying why", args[0], db.EnvDatabaseURL, err)
		}
	}
	t.Setenv(db.EnvDatabaseURL, "")
	t.Setenv(clock.EnvNow, "24-06-2026")
	for _, args := range [][]string{{"dev"}, {"seed", "--tenant", "zwolle", "--residents", "1"}} {
		_, _, err := runCLI(t, append(args, "--data-dir", data)...)
		if err == nil || !strings.Contains(err.Error(), `PLEIN_NOW="24-06-2026"`) || !strings.Contains(err.Error(), "2026-06-24T10:00:00+02:00") {
			t.Errorf("plein %s with a bad PLEIN_NOW: %v, want the variable, the value and an example", args[0], err)
		}
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command made its data directory (%v)", err)
	}
}

// TestSettleRehearsedMonth: a month that lies ahead by the real clock cannot be seeded
// or settled; under PLEIN_NOW, dev mode seeds it and settles it to final.
func TestSettleRehearsedMonth(t *testing.T) {
	t.Setenv(db.EnvDatabaseURL, "")
	t.Setenv("GOGC", "100") // plein settle leaves the test process's collector alone
	data, out := liveDataDir(t), t.TempDir()
	period := bijstand.PeriodOf(time.Now()).Next().Next()
	cli := func(args ...string) (string, error) {
		t.Helper()
		stdout, stderr, err := runCLI(t, append(args, "--data-dir", data)...)
		return stdout + stderr, err
	}
	if s, err := cli("tenant", "apply", "-f", originalTenants(t), "--author", "tester"); err != nil {
		t.Fatalf("tenant apply: %v\n%s", err, s)
	}
	settle := []string{"settle", "--tenant", "zwolle", "--period", period.String(), "--out", out, "--acknowledge-stale-law"}
	t.Setenv(clock.EnvNow, "")
	if s, err := cli(settle...); err == nil || !strings.Contains(s+err.Error(), "cannot be settled yet") {
		t.Fatalf("settle of %s on the real clock: %v, want it refused as too early\n%s", period, err, s)
	}
	// The last day of the month: on or after the day its run may start.
	t.Setenv(clock.EnvNow, period.Next().First().AddDate(0, 0, -1).Format(time.DateOnly))
	if s, err := cli("seed", "--tenant", "zwolle", "--residents", "5", "--period", period.String()); err != nil {
		t.Fatalf("seed %s under PLEIN_NOW: %v\n%s", period, err, s)
	}
	s, err := cli(settle...)
	if err != nil || !strings.Contains(s, "of "+period.String()+" for zwolle is final") || !strings.Contains(s, "(rehearsal)") {
		t.Fatalf("settle %s under PLEIN_NOW: %v, want it final and the rehearsal logged\n%s", period, err, s)
	}
}
