package settlement

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Replay proves a final run: every item is computed again from its stored inputs, with
// the law file its receipt names, by this engine when the receipt's engine version is
// this engine's, and every stored amount is compared to the cent. An item whose engine
// version differs, or that was stored before receipts existed, is not replayed and is
// reported as such, not as a difference.

// ErrReplayDifferent is returned (wrapped, with the count) by ReplayCommand when a
// replayed item differs from what is stored.
var ErrReplayDifferent = errors.New("the replay differs from what the run stored")

// Why an item cannot be replayed.
const (
	NotReplayableNoReceipt = "stored before the receipt existed"
	NotReplayableEngine    = "computed by another engine version"
	NotReplayableLaw       = "its law file is not in this build"
)

// ReplayDifference is a field of an item that the replay computed otherwise.
type ReplayDifference struct {
	ResidentID string `json:"resident_id"`
	// Field names the stored field: bijstand, reserve, applied, payout, shortfall,
	// vakantietoeslag, counters, uncomputed, deductions, deductions[<id>].applied,
	// inputs (not readable) or inputs_sha256 (the inputs are not those hashed).
	Field    string `json:"field"`
	Stored   string `json:"stored"`
	Replayed string `json:"replayed"`
}

// NotReplayed is an item that could not be replayed, and why.
type NotReplayed struct {
	ResidentID string `json:"resident_id"`
	Reason     string `json:"reason"`
	// Detail is the version or file the receipt names.
	Detail string `json:"detail,omitempty"`
}

// ReplayReport is the outcome of a replay.
type ReplayReport struct {
	Run      Run `json:"run"`
	Items    int `json:"items"`
	Replayed int `json:"replayed"`
	// Identical and Different count the replayed items.
	Identical     int                `json:"identical"`
	Different     int                `json:"different"`
	Differences   []ReplayDifference `json:"differences"`
	NotReplayable []NotReplayed      `json:"not_replayable"`
}

// Replay replays the final run of t's period (runID, when given, must be that run)
// and reports what it found. A run that is not final is ErrWrongState; a run not
// found ErrNotFound.
func (s *Service) Replay(ctx context.Context, t tenant.ID, period bijstand.Period, runID string) (ReplayReport, error) {
	book, err := s.lawBook()
	if err != nil {
		return ReplayReport{}, err
	}
	var rep ReplayReport
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		r, err := replayRun(ctx, tx, period, runID)
		if err != nil {
			return err
		}
		rep.Run = r
		rows, err := tx.Query(ctx, `
			SELECT resident_id, bijstand_cents, reserve_cents, applied_cents, payout_cents, shortfall_cents,
			       vakantietoeslag_cents, deductions, counters, coalesce(uncomputed, ''),
			       inputs, inputs_sha256, law_file, engine_version
			FROM settlement_items WHERE tenant_id = current_tenant() AND run_id = $1 ORDER BY resident_id`, r.ID)
		if err != nil {
			return err
		}
		var it storedItem
		_, err = pgx.ForEachRow(rows, it.dest(), func() error {
			rep.Items++
			return rep.add(book, it)
		})
		return err
	})
	if err != nil {
		return ReplayReport{}, fmt.Errorf("settlement: replay %s of %s: %w", t, period, err)
	}
	return rep, nil
}

// lawBook is the law the service computes with: the configured book, else the
// embedded one.
func (s *Service) lawBook() (*law.Book, error) {
	if s.cfg.Law != nil {
		return s.cfg.Law, nil
	}
	return law.Load()
}

// replayRun is the run to replay: runID, or the period's; it must be final and of the
// period.
func replayRun(ctx context.Context, tx pgx.Tx, period bijstand.Period, runID string) (Run, error) {
	var r Run
	var err error
	if runID != "" {
		r, err = getRun(ctx, tx, runID, false)
	} else {
		var ok bool
		r, ok, err = currentRun(ctx, tx, period)
		if err == nil && !ok {
			err = fmt.Errorf("%w: no run of %s", ErrNotFound, period)
		}
	}
	switch {
	case err != nil:
		return Run{}, err
	case r.Period != period:
		return Run{}, fmt.Errorf("%w: run %s is of %s, not of %s", ErrNotFound, r.ID, r.Period, period)
	case r.Status != StatusFinal:
		return Run{}, fmt.Errorf("%w: run %s is %s; only a final run is replayed", ErrWrongState, r.ID, r.Status)
	}
	return r, nil
}

// storedItem is an item as Replay reads it.
type storedItem struct {
	ResidentID                                    string
	Bijstand, Reserve, Applied, Payout, Shortfall int64
	Vakantietoeslag                               int64
	Deductions, Counters, Uncomputed              string
	Inputs                                        *string
	Hash                                          []byte
	LawFile, EngineVersion                        *string
}

func (it *storedItem) dest() []any {
	return []any{&it.ResidentID, &it.Bijstand, &it.Reserve, &it.Applied, &it.Payout, &it.Shortfall, &it.Vakantietoeslag,
		&it.Deductions, &it.Counters, &it.Uncomputed, &it.Inputs, &it.Hash, &it.LawFile, &it.EngineVersion}
}

// add replays one item into the report.
func (rep *ReplayReport) add(book *law.Book, it storedItem) error {
	not := func(reason, detail string) error {
		rep.NotReplayable = append(rep.NotReplayable, NotReplayed{ResidentID: it.ResidentID, Reason: reason, Detail: detail})
		return nil
	}
	if it.Inputs == nil || it.EngineVersion == nil || it.LawFile == nil {
		return not(NotReplayableNoReceipt, "")
	}
	if *it.EngineVersion != bijstand.EngineVersion {
		return not(NotReplayableEngine, *it.EngineVersion)
	}
	p, ok := book.File(*it.LawFile)
	if !ok {
		return not(NotReplayableLaw, *it.LawFile)
	}
	rep.Replayed++
	before := len(rep.Differences)
	rep.Differences = append(rep.Differences, replayItem(p, it)...)
	if len(rep.Differences) > before {
		rep.Different++
	} else {
		rep.Identical++
	}
	return nil
}

// replayItem computes it again under p and returns every field that differs.
func replayItem(p *law.Params, it storedItem) []ReplayDifference {
	var out []ReplayDifference
	diff := func(field, stored, replayed string) {
		if stored != replayed {
			out = append(out, ReplayDifference{ResidentID: it.ResidentID, Field: field, Stored: stored, Replayed: replayed})
		}
	}
	cents := func(field string, stored int64, replayed money.Cents) {
		diff(field, strconv.FormatInt(stored, 10), strconv.FormatInt(int64(replayed), 10))
	}
	in := []byte(*it.Inputs)
	if h := inputsHash(in); !bytes.Equal(h, it.Hash) {
		diff("inputs_sha256", fmt.Sprintf("%x", it.Hash), fmt.Sprintf("%x", h))
	}
	c, vt, owed, err := decodeInputs(in)
	if err != nil {
		diff("inputs", "stored", "not readable: "+err.Error())
		return out
	}
	r, err := bijstand.Compute(p, c)
	switch {
	case err != nil && it.Uncomputed != "":
		return out // refused again, as stored
	case err != nil:
		diff("uncomputed", "", "refused: "+err.Error())
		return out
	case it.Uncomputed != "":
		diff("uncomputed", it.Uncomputed, "")
		return out
	}
	want := toItem(ResidentMonth{ResidentID: it.ResidentID, Result: r})
	if vt {
		want.VakantietoeslagPaid = owed + r.VakantietoeslagReserve
	}
	cents("bijstand", it.Bijstand, want.Bijstand)
	cents("reserve", it.Reserve, want.Reserve)
	cents("applied", it.Applied, want.Applied)
	cents("payout", it.Payout, want.Payout)
	cents("shortfall", it.Shortfall, want.Shortfall)
	cents("vakantietoeslag", it.Vakantietoeslag, want.VakantietoeslagPaid)
	diff("counters", it.Counters, encodeCounters(want.Counters))
	return append(out, deductionDifferences(it, want.Deductions)...)
}

// deductionDifferences compares the stored deductions with the replayed ones, by id:
// requested, applied and shortfall of each.
func deductionDifferences(it storedItem, want []itemDeduction) []ReplayDifference {
	got, err := decodeDeductions(it.Deductions)
	if err != nil {
		return []ReplayDifference{{ResidentID: it.ResidentID, Field: "deductions", Stored: "not readable: " + err.Error(), Replayed: strconv.Itoa(len(want))}}
	}
	if len(got) != len(want) {
		return []ReplayDifference{{ResidentID: it.ResidentID, Field: "deductions", Stored: strconv.Itoa(len(got)), Replayed: strconv.Itoa(len(want))}}
	}
	var out []ReplayDifference
	for i, g := range got {
		w := want[i]
		if g.ID != w.ID || g.Kind != w.Kind {
			out = append(out, ReplayDifference{ResidentID: it.ResidentID, Field: fmt.Sprintf("deductions[%d]", i),
				Stored: g.ID + " " + g.Kind, Replayed: w.ID + " " + w.Kind})
			continue
		}
		for _, f := range []struct {
			name      string
			got, want money.Cents
		}{{"requested", g.Requested, w.Requested}, {"applied", g.Applied, w.Applied}, {"shortfall", g.Shortfall, w.Shortfall}} {
			if f.got != f.want {
				out = append(out, ReplayDifference{ResidentID: it.ResidentID, Field: "deductions[" + g.ID + "]." + f.name,
					Stored: strconv.FormatInt(int64(f.got), 10), Replayed: strconv.FormatInt(int64(f.want), 10)})
			}
		}
	}
	return out
}

// ReplayCommand is `plein settle replay`: it replays the run and prints the summary to
// stdout, every difference with its resident and field, and the items it could not
// replay (by reason, with at most maxListed residents each). It returns an error
// wrapping ErrReplayDifferent when any item differs.
func ReplayCommand(ctx context.Context, svc *Service, t tenant.ID, period bijstand.Period, runID string, stdout io.Writer) error {
	rep, err := svc.Replay(ctx, t, period, runID)
	if err != nil {
		return fmt.Errorf("plein settle replay: %w", err)
	}
	fmt.Fprintf(stdout, "replay of run %s of %s for %s: items %d, replayed %d, identical %d, different %d, not replayable %d\n",
		rep.Run.ID, period, t, rep.Items, rep.Replayed, rep.Identical, rep.Different, len(rep.NotReplayable))
	for _, d := range rep.Differences {
		fmt.Fprintf(stdout, "  different: resident %s: %s stored %s, replayed %s\n", d.ResidentID, d.Field, d.Stored, d.Replayed)
	}
	printNotReplayable(stdout, rep.NotReplayable)
	if rep.Different > 0 {
		return fmt.Errorf("plein settle replay: %w: %d of %d items replayed differ (run %s)", ErrReplayDifferent, rep.Different, rep.Replayed, rep.Run.ID)
	}
	return nil
}

// maxListed is how many residents the summary names per reason an item was not
// replayed: a run from before receipts has hundreds of thousands.
const maxListed = 20

func printNotReplayable(w io.Writer, items []NotReplayed) {
	byReason := map[string][]NotReplayed{}
	var order []string
	for _, n := range items {
		if _, ok := byReason[n.Reason]; !ok {
			order = append(order, n.Reason)
		}
		byReason[n.Reason] = append(byReason[n.Reason], n)
	}
	for _, reason := range order {
		list := byReason[reason]
		fmt.Fprintf(w, "  not replayable: %d items %s\n", len(list), reason)
		for i, n := range list {
			if i == maxListed {
				fmt.Fprintf(w, "    … and %d more\n", len(list)-maxListed)
				break
			}
			if n.Detail != "" {
				fmt.Fprintf(w, "    resident %s (%s)\n", n.ResidentID, n.Detail)
			} else {
				fmt.Fprintf(w, "    resident %s\n", n.ResidentID)
			}
		}
	}
}
