package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/tenant"
)

// The caseload itself is tested in internal/synth. These tests run `plein seed` on
// the app of a fresh database with the real gemeenten applied and the clock of the
// end-to-end tests (2 April 2026); the settlement's tests seed with them too.

type seedBundle struct {
	d   *dbtest.DB
	a   *app
	ctx context.Context // with a consulent principal of zwolle, for audited reads
}

func setupSeed(t *testing.T) *seedBundle {
	t.Helper()
	d, a := sealingApp(t, appConfig{sessionKey: bytes.Repeat([]byte{7}, 32), now: func() time.Time { return e2eNow }})
	ctx := authz.WithPrincipal(context.Background(), authz.Principal{Subject: "test:seed", Tenant: "zwolle", Roles: []authz.Role{authz.RoleConsulent}})
	return &seedBundle{d: d, a: a, ctx: ctx}
}

func seedOpts(n int, period string, s uint64) synth.Options {
	p, err := bijstand.ParsePeriod(period)
	if err != nil {
		panic(err)
	}
	return synth.Options{Tenant: "zwolle", Residents: n, Period: p, Seed: s, Workers: 4, Now: func() time.Time { return e2eNow }}
}

// TestSeedApp seeds through the app's services: the summary names the gemeente's own
// creditor, made under its applied name.
func TestSeedApp(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)
	rep, err := seed(b.ctx, b.a, seedOpts(10, "2026-04", 1))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Print(&out)
	for _, want := range []string{"plein seed: 10 residents in zwolle for 2026-04", "Gemeente Zwolle (terugvordering, voorbeeld)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSeedBadInput(t *testing.T) {
	t.Parallel()
	b := setupSeed(t)

	unknown := seedOpts(5, "2026-04", 1)
	unknown.Tenant = tenant.ID("nergenshuizen")
	_, err := seed(b.ctx, b.a, unknown)
	if err == nil || !strings.Contains(err.Error(), "nergenshuizen") {
		t.Errorf("unknown tenant: err = %v, want an error naming it", err)
	}

	// A refused option is a usage error that names its flag.
	for _, c := range []struct {
		o    synth.Options
		want string
	}{
		{seedOpts(0, "2026-04", 1), "plein seed: --residents must be 1 to 100000, not 0"},
		{seedOpts(synth.MaxResidents+1, "2026-04", 1), "plein seed: --residents must be 1 to 100000, not 100001"},
		{seedOpts(5, "2026-06", 1), "plein seed: --period 2026-06 is too far ahead: at most 2026-05"},
		{seedOpts(5, "2024-12", 1), "plein seed: --period 2024-12: no bijstand norms are known for that month"},
	} {
		_, err := seed(b.ctx, b.a, c.o)
		var ue usageError
		if !errors.As(err, &ue) || err.Error() != c.want {
			t.Errorf("%d residents in %s: err = %v, want the usage error %q", c.o.Residents, c.o.Period, err, c.want)
		}
	}

	// The command refuses bad flags before it starts a database (no --data-dir here).
	for _, args := range [][]string{
		{"seed", "--tenant", "zwolle", "--residents", "0"},
		{"seed", "--residents", "10"},
		{"seed", "--tenant", "Zwolle!", "--residents", "10"},
		{"seed", "--tenant", "zwolle", "--residents", "10", "--period", "april"},
	} {
		_, _, err := runCLI(t, args...)
		var ue usageError
		if !errors.As(err, &ue) || exitCode(err) != 2 {
			t.Errorf("plein %v: err = %v (exit %d), want a usage error (exit 2)", args, err, exitCode(err))
		}
	}
}
