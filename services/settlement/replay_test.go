package settlement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents"
)

// resAInputs is resident A's month of the replay fixture in the canonical encoding,
// typed in from the case below (not produced by the encoder): what her receipt hashes.
const resAInputs = "P\t2026-03\tsingle\t0\t0\t0\nA\t19900501\t0\t0\t0\nI\t0\twork\t30000\n" +
	"D\tplan-a-zorg\ton_behalf\t15850\t0\tZilveren Kruis"

// replayBundle is the testBundle with months the engine computed from cases, with
// their receipts, as the caseload gives them: A works (art. 31.2 n vrijlating) and
// pays her zorgpremie, C pays off a debt he cannot pay in full, E's month the engine
// refuses (a partner of 17), and D is a month without a receipt, as a run stored it
// before receipts existed.
func replayBundle(t *testing.T) testBundle {
	t.Helper()
	b := setup(t)
	book := law.MustLoad()
	born := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	single := func(birth string) bijstand.Household {
		return bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: born(birth)}}}
	}
	cases := map[string]bijstand.Case{
		resA: {Period: march, Household: single("1990-05-01"),
			Income:     []bijstand.Income{{Applicant: 0, Source: bijstand.SourceWork, Net: 30000}},
			Deductions: []bijstand.Deduction{{ID: "plan-a-zorg", Kind: bijstand.DeductOnBehalf, Amount: zorgpremie, Label: "Zilveren Kruis"}}},
		resC: {Period: march, Household: single("1980-01-01"),
			Deductions: []bijstand.Deduction{{ID: "plan-c-kb", Kind: bijstand.DeductAflossing, Amount: 10000}}},
		resE: {Period: march, Household: bijstand.Household{Kind: bijstand.KindCouple,
			Applicants: []bijstand.Applicant{{BirthDate: born("1990-01-01")}, {BirthDate: born("2009-01-01")}}}},
	}
	var months []ResidentMonth
	for _, m := range b.months {
		if m.ResidentID == resB {
			continue
		}
		c, ok := cases[m.ResidentID]
		if ok {
			r, p, err := bijstand.NewCalculator(book).Month(c)
			m.Result = r
			m.Receipt = &Receipt{Case: c, LawFile: p.File, ConfigVersion: 3, EngineVersion: bijstand.EngineVersion}
			if m.ResidentID == resA {
				m.Receipt.Wages = []Wage{{Employer: "Bakkerij De Korf", Gross: 34500, Net: 30000}}
			}
			if err != nil {
				m.Result, m.Uncomputed = bijstand.Result{Period: march}, UncomputedReason(err)
			}
		}
		months = append(months, m)
	}
	b.months = append(months, ResidentMonth{ResidentID: resE, Name: "Jan Jansen", IBAN: nlIBAN(t, "RABO", "0300000001")})
	r, p, err := bijstand.NewCalculator(book).Month(cases[resE])
	if err == nil {
		t.Fatalf("resident E's case computed (%+v): the fixture wants a month the engine refuses", r)
	}
	b.months[len(b.months)-1].Result = bijstand.Result{Period: march}
	b.months[len(b.months)-1].Uncomputed = UncomputedReason(err)
	b.months[len(b.months)-1].Receipt = &Receipt{Case: cases[resE], LawFile: p.File, ConfigVersion: 3, EngineVersion: bijstand.EngineVersion}
	return b
}

// settleFinal settles march for zwolle to final on b.
func settleFinal(t *testing.T, b testBundle) settleBundle {
	t.Helper()
	sb := setupSettleWith(t, b, workFunc(func(context.Context, *river.Job[residents.CountersArgs]) error { return nil }))
	o := SettleOptions{Tenant: "zwolle", Period: march, Out: filepath.Join(t.TempDir(), "zwolle"), Starter: "cli:alice", Approver: "cli:bob"}
	if err := <-sb.settleAsync(t, o); err != nil {
		t.Fatalf("Settle: %v", err)
	}
	return sb
}

// replay runs `plein settle replay` of zwolle's march.
func (b settleBundle) replay(t *testing.T, runID string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := ReplayCommand(t.Context(), b.svc, "zwolle", march, runID, &out)
	return out.String(), err
}

// TestReplayIdentical: a final run replays to the same cents; the month refused is
// refused again; the item from before receipts is reported as not replayable, not as
// a difference; and the receipt stored for A is the hash of her inputs as typed in.
func TestReplayIdentical(t *testing.T) {
	t.Parallel()
	b := settleFinal(t, replayBundle(t))
	out, err := b.replay(t, "")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	want := regexp.MustCompile(`^replay of run \S+ of 2026-03 for zwolle: items 4, replayed 3, identical 3, different 0, not replayable 1\n` +
		`  not replayable: 1 items stored before the receipt existed\n    resident ` + resD + "\n$")
	if !want.MatchString(out) {
		t.Errorf("replay output\n%s\nwant %s", out, want)
	}

	var inputs, lawFile, engine, wages string
	var hash []byte
	var cfg int
	err = db.InTenant(tenant.WithID(t.Context(), "zwolle"), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT inputs, inputs_sha256, law_file, config_version, engine_version, wages
			FROM settlement_items WHERE resident_id = $1`, resA).Scan(&inputs, &hash, &lawFile, &cfg, &engine, &wages)
	})
	sum := sha256.Sum256([]byte(resAInputs))
	if err != nil || inputs != resAInputs || !bytes.Equal(hash, sum[:]) || lawFile != "data/2026-01-01.yaml" || cfg != 3 ||
		engine != bijstand.EngineVersion || wages != "34500\tBakkerij De Korf" {
		t.Errorf("A's receipt: %q %x %s v%d engine %s wages %q (%v)\nwant %q %x data/2026-01-01.yaml v3 engine %s",
			inputs, hash, lawFile, cfg, engine, wages, err, resAInputs, sum, bijstand.EngineVersion)
	}

	// By run id, the same; a run id of another period, or none final, is refused.
	runID := regexp.MustCompile(`run (\S+) of`).FindStringSubmatch(out)[1]
	if again, err := b.replay(t, runID); err != nil || again != out {
		t.Errorf("replay --run %s: %v\n%s\nwant\n%s", runID, err, again, out)
	}
	var got bytes.Buffer
	if err := ReplayCommand(t.Context(), b.svc, "zwolle", march.Next(), runID, &got); !errors.Is(err, ErrNotFound) {
		t.Errorf("replay of run %s as April: %v, want ErrNotFound", runID, err)
	}
	if err := ReplayCommand(t.Context(), b.svc, "enschede", march, "", &got); !errors.Is(err, ErrNotFound) || got.Len() > 0 {
		t.Errorf("replay of a tenant without a run: %v (%q), want ErrNotFound and no output", err, got.String())
	}
}

// tamper runs sql on settlement_items as the owner, past the append-only trigger, as
// someone with the database's keys could.
func tamper(t *testing.T, owner *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	err := db.InTenant(tenant.WithID(t.Context(), "zwolle"), owner, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE settlement_items DISABLE TRIGGER settlement_items_append_only`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sql, args...)
		if err == nil && tag.RowsAffected() != 1 {
			err = errors.New("tampered with " + tag.String())
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `ALTER TABLE settlement_items ENABLE TRIGGER settlement_items_append_only`)
		return err
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// TestReplayTampered: a stored amount changed afterwards, and an input changed
// afterwards, are each reported with the resident and the field, and the command
// fails; the others stay identical.
func TestReplayTampered(t *testing.T) {
	t.Parallel()
	b := settleFinal(t, replayBundle(t))
	// A's payout one euro higher (and her bijstand with it: the row must balance).
	tamper(t, b.d.Owner, `UPDATE settlement_items SET payout_cents = payout_cents + 100, bijstand_cents = bijstand_cents + 100
		WHERE resident_id = $1`, resA)
	// C's aflossing recorded as € 50,00 asked instead of € 100,00.
	tamper(t, b.d.Owner, `UPDATE settlement_items SET inputs = replace(inputs, E'\taflossing\t10000\t', E'\taflossing\t5000\t')
		WHERE resident_id = $1`, resC)
	out, err := b.replay(t, "")
	if !errors.Is(err, ErrReplayDifferent) || !strings.Contains(err.Error(), "2 of 3 items replayed differ") {
		t.Errorf("replay of a tampered run: %v, want ErrReplayDifferent, 2 of 3", err)
	}
	if !strings.HasPrefix(out, "replay of run ") || !strings.Contains(out, ": items 4, replayed 3, identical 1, different 2, not replayable 1\n") {
		t.Errorf("summary:\n%s", out)
	}
	// A: stored = replayed + 100, independently of what the engine computes.
	for _, field := range []string{"bijstand", "payout"} {
		m := regexp.MustCompile(`(?m)^  different: resident ` + resA + `: ` + field + ` stored (\d+), replayed (\d+)$`).FindStringSubmatch(out)
		if m == nil || mustInt(t, m[1])-mustInt(t, m[2]) != 100 {
			t.Errorf("A's %s: %v in\n%s", field, m, out)
		}
	}
	// C: the inputs are no longer those hashed, and the replay of what is stored now
	// asks € 50,00: the aflossing's requested cents differ (C's capacity of € 70,07 now
	// takes all of it).
	for _, line := range []string{
		"  different: resident " + resC + ": inputs_sha256 stored ",
		"  different: resident " + resC + ": deductions[plan-c-kb].requested stored 10000, replayed 5000\n",
		"  different: resident " + resC + ": deductions[plan-c-kb].applied stored 7007, replayed 5000\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("replay output lacks %q:\n%s", line, out)
		}
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
