// Command coopload drives the whole coöperatie at once against a real `plein dev` (its
// private PostgreSQL included) on this machine, and restarts that PostgreSQL in the
// middle of the run while the clients keep going. Every gemeente of tenants/ gets
// residents; concurrent clients then mix, across all gemeenten, a resident's portal
// reads (home, Deze maand), payslips handed in (by the resident in the portal, or by a
// consulent through the API: the writes) and staff API reads (a resident's month, the
// payment plans), and for a sample a session of one gemeente against another's URLs.
//
// It checks, counts and prints: every payslip answered 2xx is stored exactly once
// (read back through the API after the run); no answer carries another gemeente's
// data; errors while PostgreSQL is down, and how long until every client succeeds
// again; p50/p95/p99 per kind of request, for the whole run and outside the restart
// window; throughput. It exits non-zero when a check fails.
//
//	go run ./tools/coopload [-duration 75s] [-restart fast|immediate|none] [-workers 12]
package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/plein-nl/plein/tools/internal/measure"
)

// config is what the flags set.
type config struct {
	residents int           // seeded residents per gemeente, besides the demo resident
	workers   int           // concurrent clients
	duration  time.Duration // length of the load
	restartAt time.Duration // when PostgreSQL is stopped, from the start of the load
	down      time.Duration // how long it stays down
	mode      string        // pg_ctl's shutdown mode: fast, immediate; none: no restart
	recovery  time.Duration // how soon after PostgreSQL is up every client must succeed
	cross     float64       // share of operations that try another gemeente's URLs
}

func main() {
	var c config
	flag.IntVar(&c.residents, "residents", 4, "residents to create per gemeente (besides the demo resident)")
	flag.IntVar(&c.workers, "workers", 12, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 75*time.Second, "length of the load")
	flag.DurationVar(&c.restartAt, "restart-at", 0, "when to stop PostgreSQL, from the start of the load (default: half of -duration)")
	flag.DurationVar(&c.down, "down", 2*time.Second, "how long PostgreSQL stays down")
	flag.StringVar(&c.mode, "restart", "fast", "how PostgreSQL stops: fast (pg_ctl -m fast), immediate (-m immediate, a crash) or none")
	flag.DurationVar(&c.recovery, "recovery", 10*time.Second, "how soon after PostgreSQL is up every client must succeed again")
	flag.Float64Var(&c.cross, "cross", 0.03, "share of operations that use one gemeente's session against another's URLs")
	measure.Main("coopload", func(work, bin string) error {
		if c.restartAt == 0 {
			c.restartAt = c.duration / 2
		}
		if c.mode != "fast" && c.mode != "immediate" && c.mode != "none" {
			return fmt.Errorf("-restart: %q is not fast, immediate or none", c.mode)
		}
		return run(c, work, bin)
	})
}
