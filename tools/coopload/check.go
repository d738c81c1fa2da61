package main

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/plein-nl/plein/tools/internal/devapi"
	"github.com/plein-nl/plein/tools/internal/measure"
)

// tally is what the read-back found of the writes.
type tally struct {
	accepted, lost, doubled int // 2xx answers; of those, not stored or stored twice
	refused, storedAnyway   int // error answers; of those, stored once all the same
	firstLost               string
}

// readBack reads, after the run, every payslip of this month of each resident written
// to through the API (as the gemeente's consulent) and counts each write's employer.
func (l *load) readBack() (tally, error) {
	type key struct {
		g        *gemeente
		resident string
	}
	byResident := map[key][]write{}
	for _, w := range l.writes {
		k := key{w.g, w.resident}
		byResident[k] = append(byResident[k], w)
	}
	var t tally
	for k, ws := range byResident {
		var list struct {
			Payslips []struct {
				Employer string `json:"employer"`
			} `json:"payslips"`
		}
		u := k.g.api() + "/residents/" + k.resident + "/payslips?period=" + l.period.Format("2006-01") + "&" + purpose
		if err := devapi.Call(k.g.staff, http.MethodGet, u, nil, http.StatusOK, &list); err != nil {
			return t, fmt.Errorf("read back: %w", err)
		}
		stored := map[string]int{}
		for _, p := range list.Payslips {
			stored[p.Employer]++
		}
		for _, w := range ws {
			n := stored[w.employer]
			switch {
			case w.outcome == ok:
				t.accepted++
				if n == 0 {
					t.lost++
					if t.firstLost == "" {
						t.firstLost = fmt.Sprintf("%q for resident %s of %s (%d stored)", w.employer, w.resident, w.g.id, len(list.Payslips))
					}
				} else if n > 1 {
					t.doubled++
				}
			default:
				t.refused++
				if n > 0 {
					t.storedAnyway++
				}
				if n > 1 {
					t.doubled++
				}
			}
		}
	}
	return t, nil
}

// window is the restart window: from PostgreSQL stopped until every client succeeded
// again; recovered is how long that took after PostgreSQL was up (-1: some client
// never did).
func (l *load) window() (from, to time.Time, recovered time.Duration) {
	if l.upAt.IsZero() {
		return time.Time{}, time.Time{}, 0
	}
	first := map[int]time.Time{}
	for _, r := range l.results {
		if r.outcome == ok && r.start.After(l.upAt) {
			if t, seen := first[r.worker]; !seen || r.end.Before(t) {
				first[r.worker] = r.end
			}
		}
	}
	if len(first) < l.c.workers {
		return l.stopAt, l.end, -1
	}
	to = l.upAt
	for _, t := range first {
		if t.After(to) {
			to = t
		}
	}
	return l.stopAt, to, to.Sub(l.upAt)
}

// report prints the figures and the checks, and returns an error when one fails.
func (l *load) report(t tally) error {
	from, to, recovered := l.window()
	in := func(r result) bool { return !from.IsZero() && r.end.After(from) && r.start.Before(to) }
	var count [4]int
	var firstOf [4]string
	var faultsIn, faultsOut int
	var faultFirst, faultLast time.Time
	for _, r := range l.results {
		count[r.outcome]++
		if r.outcome != ok && firstOf[r.outcome] == "" {
			firstOf[r.outcome] = r.detail
		}
		if r.outcome == fault {
			if in(r) {
				faultsIn++
			} else {
				faultsOut++
			}
			if faultFirst.IsZero() {
				faultFirst = r.start
			}
			faultLast = r.end
		}
	}
	elapsed := l.end.Sub(l.start)
	fmt.Printf("%d clients over %d gemeenten for %.0f s: %d requests, %d answered as expected (%.0f/s)\n",
		l.c.workers, len(l.gs), elapsed.Seconds(), len(l.results), count[ok], float64(count[ok])/elapsed.Seconds())
	l.printLatencies(in)
	l.printRestart(from, recovered, faultsIn, faultFirst, faultLast)
	fmt.Printf("writes: %d payslips accepted (2xx), %d lost, %d stored twice; %d answered with an error, of which %d stored all the same\n",
		t.accepted, t.lost, t.doubled, t.refused, t.storedAnyway)
	fmt.Printf("cross-gemeente answers: %d (of %d cross-gemeente tries and every other answer checked)\n", count[crossed], l.kindCount(crossTry))
	var fails []string
	add := func(bad bool, s string) {
		if bad {
			fails = append(fails, s)
		}
	}
	add(t.lost > 0 || t.doubled > 0, fmt.Sprintf("%d accepted payslips lost, %d stored twice; first lost: %s", t.lost, t.doubled, t.firstLost))
	add(count[crossed] > 0, fmt.Sprintf("%d cross-gemeente answers; first: %s", count[crossed], firstOf[crossed]))
	add(count[wrong] > 0, fmt.Sprintf("%d unexpected answers; first: %s", count[wrong], firstOf[wrong]))
	add(faultsOut > 0, fmt.Sprintf("%d errors outside the restart window; first: %s", faultsOut, firstOf[fault]))
	add(l.restartErr != nil, fmt.Sprintf("the restart failed: %v", l.restartErr))
	add(recovered < 0 || recovered > l.c.recovery, fmt.Sprintf("not every client succeeded within %s of PostgreSQL up", l.c.recovery))
	if len(fails) > 0 {
		l.printWrong()
		return errors.New("FAILED: " + strings.Join(fails, "; "))
	}
	fmt.Println("all checks passed")
	return nil
}

func (l *load) kindCount(k kind) int {
	n := 0
	for _, r := range l.results {
		if r.kind == k {
			n++
		}
	}
	return n
}

// printLatencies prints p50/p95/p99 of the requests answered as expected, per kind,
// for the whole run and outside the restart window (in).
func (l *load) printLatencies(in func(result) bool) {
	var all, outside [kinds][]time.Duration
	for _, r := range l.results {
		if r.outcome != ok {
			continue
		}
		all[r.kind] = append(all[r.kind], r.end.Sub(r.start))
		if !in(r) {
			outside[r.kind] = append(outside[r.kind], r.end.Sub(r.start))
		}
	}
	elapsed := l.end.Sub(l.start).Seconds()
	for k := kind(0); k < kinds; k++ {
		p50, p95, p99, maxd := measure.Percentiles(all[k])
		q50, q95, q99, _ := measure.Percentiles(outside[k])
		fmt.Printf("  %-19s n=%-6d %5.0f/s  p50 %6.1f  p95 %6.1f  p99 %6.1f  max %7.1f ms | outside the restart: p50 %.1f  p95 %.1f  p99 %.1f ms\n",
			kindNames[k], len(all[k]), float64(len(all[k]))/elapsed, measure.MS(p50), measure.MS(p95), measure.MS(p99), measure.MS(maxd),
			measure.MS(q50), measure.MS(q95), measure.MS(q99))
	}
}

// printRestart says when PostgreSQL went down and came up, the errors meanwhile and
// the recovery.
func (l *load) printRestart(from time.Time, recovered time.Duration, faults int, first, last time.Time) {
	if l.upAt.IsZero() {
		fmt.Println("no PostgreSQL restart")
		return
	}
	fmt.Printf("PostgreSQL restart (pg_ctl stop -m %s at %.1f s, %.1f s to stop, %.1f s down, %.1f s to start): up again %.1f s after the stop began\n",
		l.c.mode, from.Sub(l.start).Seconds(), l.stopped.Sub(from).Seconds(), l.c.down.Seconds(),
		l.upAt.Sub(l.stopped.Add(l.c.down)).Seconds(), l.upAt.Sub(from).Seconds())
	fmt.Printf("  %d errors (5xx or no answer) in the window, from %.1f s to %.1f s (%.1f s)\n", faults,
		first.Sub(l.start).Seconds(), last.Sub(l.start).Seconds(), last.Sub(first).Seconds())
	if recovered < 0 {
		fmt.Println("recovery: some client never succeeded again")
		return
	}
	fmt.Printf("recovery: every client succeeded again %.2f s after PostgreSQL was up\n", recovered.Seconds())
}

// printWrong lists the unexpected answers by what they were, the gemeente left out,
// most frequent first (at most 8).
func (l *load) printWrong() {
	n := map[string]int{}
	for _, r := range l.results {
		if r.outcome == wrong || r.outcome == crossed {
			n[tenantRE.ReplaceAllString(r.detail, "/$1{tenant}/")]++
		}
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return n[keys[i]] > n[keys[j]] })
	for i, k := range keys[:min(len(keys), 8)] {
		fmt.Printf("  unexpected %d: %d× %s\n", i+1, n[k], k)
	}
}

var tenantRE = regexp.MustCompile(`/(t/|tenants/)[a-z0-9-]+/`)
