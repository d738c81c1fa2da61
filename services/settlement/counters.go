package settlement

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/services/residents"
)

// The vrijlating counters a month advances (docs/domain.md §2): the engine returns each
// applicant's months of art. 31.2 n and r used after the month; a batch stores those of
// the applicants whose counters moved with the resident's item, and the post of a final
// run has the residents service record them as the counters of the next month, through
// a job inserted in the post's transaction. Only a final run advances them: a dry run
// and a read of a month never do.

// itemCounters is an applicant's counters after the month, as an item stores them.
type itemCounters struct {
	Applicant int
	Kind      bijstand.VrijlatingKind
	N, R      int
}

// advanced returns the applicants of r whose n or r vrijlating counted this month: the
// only ones whose counters moved.
func advanced(r bijstand.Result) []itemCounters {
	var out []itemCounters
	for i, a := range r.Applicants {
		if a.VrijlatingKind == bijstand.VrijlatingN || a.VrijlatingKind == bijstand.VrijlatingR {
			out = append(out, itemCounters{Applicant: i, Kind: a.VrijlatingKind, N: a.NMonthsUsed, R: a.RMonthsUsed})
		}
	}
	return out
}

// encodeCounters writes counters as settlement_items.counters holds them: a line per
// applicant, "applicant<TAB>kind<TAB>n<TAB>r".
func encodeCounters(cs []itemCounters) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d\t%s\t%d\t%d", c.Applicant, c.Kind, c.N, c.R)
	}
	return b.String()
}

// decodeCounters reads what encodeCounters wrote back into r's applicants, so that
// advanced(r) gives them again.
func decodeCounters(s string, r *bijstand.Result) error {
	if s == "" {
		return nil
	}
	for i, l := range strings.Split(s, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			return fmt.Errorf("counters %d: %d fields, want 4", i, len(f))
		}
		var v [3]int
		for j, k := range []int{0, 2, 3} {
			n, err := strconv.Atoi(f[k])
			if err != nil || n < 0 {
				return fmt.Errorf("counters %d: %q", i, f[k])
			}
			v[j] = n
		}
		if v[0] > 1 {
			return fmt.Errorf("counters %d: applicant %d", i, v[0])
		}
		for len(r.Applicants) <= v[0] {
			r.Applicants = append(r.Applicants, bijstand.ApplicantResult{})
		}
		r.Applicants[v[0]] = bijstand.ApplicantResult{VrijlatingKind: bijstand.VrijlatingKind(f[1]), NMonthsUsed: v[1], RMonthsUsed: v[2]}
	}
	return nil
}

// countersChunk is the most applicants one counters job carries.
const countersChunk = 1000

// insertCounters inserts, in the transaction that makes run r final, the jobs that
// record the counters its months advanced as those of the month after r's.
func (s *Service) insertCounters(ctx context.Context, tx pgx.Tx, ta jobs.TenantArgs, r Run, months []ResidentMonth) error {
	var all []residents.AdvancedCounters
	for _, m := range months {
		for _, c := range advanced(m.Result) {
			all = append(all, residents.AdvancedCounters{ResidentID: m.ResidentID, Applicant: c.Applicant,
				NMonthsUsed: c.N, RMonthsUsed: c.R})
		}
	}
	for i := 0; i < len(all); i += countersChunk {
		args := residents.CountersArgs{TenantArgs: ta, RunID: r.ID, Chunk: i/countersChunk + 1, Period: r.Period.String(),
			Counters: all[i:min(i+countersChunk, len(all))]}
		if err := jobs.InsertTx(ctx, s.client(ctx), tx, args, nil); err != nil {
			return fmt.Errorf("counters: %w", err)
		}
	}
	return nil
}
