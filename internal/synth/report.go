package synth

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
)

// Report is what Seed made.
type Report struct {
	Tenant    tenant.ID
	Seed      uint64
	Period    bijstand.Period
	PlanStart bijstand.Period // the period unless that has passed
	IDs       []string        // the residents, in the order of the stream
	ByKind    map[Kind]int
	Children  int
	Working   int // residents with a payslip paid in the period
	Payslips  int // all payslips, the previous month's included
	PrevSlips int // paid in the month before the period
	Plans     map[Label]int
	Creditors []string // made for the tenant
	BSNBumps  int      // BSNs taken already, replaced by the next free number
	Took      time.Duration
}

// count adds up people.
func (r *Report) count(people []Person) {
	r.ByKind, r.Plans = map[Kind]int{}, map[Label]int{}
	for _, p := range people {
		r.ByKind[p.Kind]++
		r.Children += len(p.Children)
		r.Payslips += len(p.Payslips)
		for _, ps := range p.Payslips {
			if ps.Period == r.Period {
				r.Working++
			} else {
				r.PrevSlips++
			}
		}
		for _, pl := range p.Plans {
			r.Plans[pl.Label]++
		}
	}
}

// Print writes the summary of `plein seed`.
func (r Report) Print(w io.Writer) {
	n := len(r.IDs)
	var b strings.Builder
	fmt.Fprintf(&b, "plein seed: %d residents in %s for %s (seed %d) in %.1f s, %.0f residents/s\n",
		n, r.Tenant, r.Period, r.Seed, r.Took.Seconds(), float64(n)/max(r.Took.Seconds(), 1e-3))
	pct := func(k int) string { return fmt.Sprintf("%d (%.0f %%)", k, 100*float64(k)/float64(max(n, 1))) }
	fmt.Fprintf(&b, "  households  single %s · single parent %s, %d children · couple %s · with kostendeler %s\n",
		pct(r.ByKind[Single]), pct(r.ByKind[SingleParent]), r.Children, pct(r.ByKind[Couple]), pct(r.ByKind[Kostendeler]))
	fmt.Fprintf(&b, "  work        %s with a payslip paid in %s; %d payslips in all (%d paid in %s)\n",
		pct(r.Working), r.Period, r.Payslips, r.PrevSlips, r.Period.Prev())
	fmt.Fprintf(&b, "  plans       zorgpremie %s · huur %s · verrekening %s · aflossing %s — approved, from %s\n",
		pct(r.Plans[Zorgpremie]), pct(r.Plans[Huur]), pct(r.Plans[Verrekening]), pct(r.Plans[Aflossing]), r.PlanStart)
	if len(r.Creditors) > 0 {
		fmt.Fprintf(&b, "  creditors   made: %s\n", strings.Join(r.Creditors, "; "))
	}
	if r.BSNBumps > 0 {
		fmt.Fprintf(&b, "  BSNs        %d were taken already; the next free number was used\n", r.BSNBumps)
	}
	if r.PlanStart != r.Period {
		fmt.Fprintf(&b, "  note        %s has passed: the plans start in %s, the current month (a plan never starts in the past)\n",
			r.Period, r.PlanStart)
	}
	fmt.Fprint(w, b.String())
}
