package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/ledger"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// The jobs of a run. Each step reads the run's status in its own transaction and does
// nothing when the step is already done, so that a job that runs twice (a retry after a
// crash, a rescued job whose first worker was killed, a Kick) changes nothing the second
// time. Steps that may run at the same time take a row lock first (the run for plan,
// close and post, the batch for a batch), so two copies of a step serialise and the
// second finds the work done. The work of a step and its completion commit together
// (jobs.TenantWorker). What a step needs from other services (the caseload, the
// creditors) is read before its transaction opens (readFirst), each read in the owning
// service's own unit of work; the step's transaction then writes all it made of it at
// once, or nothing.

// PlanArgs splits a run's residents into batches and inserts their jobs.
type PlanArgs struct {
	jobs.TenantArgs
	RunID string `json:"run_id"`
	Kick  int64  `json:"kick,omitempty"`
}

// Kind implements river.JobArgs.
func (PlanArgs) Kind() string { return "settlement.plan" }

// BatchArgs computes the months of one batch of residents.
type BatchArgs struct {
	jobs.TenantArgs
	RunID   string `json:"run_id"`
	BatchNo int    `json:"batch_no"`
	Kick    int64  `json:"kick,omitempty"`
}

// Kind implements river.JobArgs.
func (BatchArgs) Kind() string { return "settlement.batch" }

// CloseArgs assembles and reconciles a computed run.
type CloseArgs struct {
	jobs.TenantArgs
	RunID string `json:"run_id"`
	Kick  int64  `json:"kick,omitempty"`
}

// Kind implements river.JobArgs.
func (CloseArgs) Kind() string { return "settlement.close" }

// PostArgs books an approved run in the ledger and writes its files.
type PostArgs struct {
	jobs.TenantArgs
	RunID string `json:"run_id"`
	Kick  int64  `json:"kick,omitempty"`
}

// Kind implements river.JobArgs.
func (PostArgs) Kind() string { return "settlement.post" }

// AddWorkers registers the run's workers, running as pool's role (plein_app).
func AddWorkers(w *river.Workers, pool *pgxpool.Pool, s *Service) {
	river.AddWorker(w, &readFirst[PlanArgs, planInput]{pool: pool, read: s.readPlan, step: s.plan})
	river.AddWorker(w, &readFirst[BatchArgs, batchInput]{pool: pool, read: s.readBatch, step: s.batch})
	river.AddWorker(w, &readFirst[CloseArgs, map[string]CreditorInfo]{pool: pool, read: readCreditors[CloseArgs](s), step: s.close})
	river.AddWorker(w, &readFirst[PostArgs, map[string]CreditorInfo]{pool: pool, read: readCreditors[PostArgs](s), step: s.post})
	river.AddWorker(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[ScheduleArgs]) error { return s.Schedule(ctx) }))
}

func (s *Service) insert(ctx context.Context, tx pgx.Tx, args jobs.Scoped) error {
	return jobs.InsertTx(ctx, s.client(ctx), tx, args, uniqueOpts())
}

// client is the River client of the worker running ctx's job, or, outside a worker
// (tests calling a step directly), the service's own.
func (s *Service) client(ctx context.Context) *jobs.Client {
	if c, err := river.ClientFromContextSafely[pgx.Tx](ctx); err == nil {
		return c
	}
	return s.cfg.Jobs
}

// fail ends a run as failed with msg; the period can then be run again.
func (s *Service) fail(ctx context.Context, tx pgx.Tx, r Run, msg string) error {
	_, err := tx.Exec(ctx, `
		UPDATE settlement_runs SET status = 'failed', finished_at = $2, error = $3
		WHERE tenant_id = current_tenant() AND id = $1`, r.ID, s.cfg.Now(), msg)
	if err == nil {
		r.Status = StatusFailed
		s.cfg.Metrics.ended(r)
	}
	return err
}

// lockStep locks run id for the step that acts on runs in status want, and reads the
// tenant's status, which decides whether the step may move money now. ok is false when
// the run is no longer in want: a retried or duplicate job then does nothing.
func (s *Service) lockStep(ctx context.Context, tx pgx.Tx, step, id string, want Status) (r Run, tenantStatus string, ok bool, err error) {
	r, err = getRun(ctx, tx, id, true)
	if err != nil {
		return Run{}, "", false, fmt.Errorf("settlement: %s %s: %w", step, id, err)
	}
	if r.Status != want {
		return r, "", false, nil
	}
	err = tx.QueryRow(ctx, `SELECT status FROM tenants WHERE tenant_id = current_tenant()`).Scan(&tenantStatus)
	return r, tenantStatus, err == nil, err
}

func (s *Service) plan(ctx context.Context, tx pgx.Tx, job *river.Job[PlanArgs], in planInput) (err error) {
	defer s.cfg.Metrics.step("plan", job.Args.Tenant, in.started, &err)
	r, st, ok, err := s.lockStep(ctx, tx, "plan", job.Args.RunID, StatusPlanning)
	if err != nil || !ok {
		return err
	}
	if st != "active" {
		return s.fail(ctx, tx, r, fmt.Sprintf("the tenant is %s: settlement is frozen", st))
	}
	if !in.read {
		return errInputStale
	}
	if in.lost != "" {
		// Retrying does not record the counters: the run fails, saying why.
		return s.fail(ctx, tx, r, in.lost)
	}
	ids := in.ids
	var nos []int
	var firsts, lasts []string
	var members [][]string
	for i := 0; i < len(ids); i += s.cfg.BatchSize {
		b := ids[i:min(i+s.cfg.BatchSize, len(ids))]
		nos = append(nos, len(nos)+1)
		firsts, lasts, members = append(firsts, b[0]), append(lasts, b[len(b)-1]), append(members, b)
	}
	// The batch keeps its members: a resident registered after planning is in the next
	// month's run, not in this one's ranges. (COPY is not allowed under row-level
	// security; an INSERT of unnested arrays is the bulk path.)
	for i := range nos {
		if _, err := tx.Exec(ctx, `
			INSERT INTO settlement_batches (tenant_id, run_id, batch_no, first_resident, last_resident, residents, members)
			VALUES (current_tenant(), $1, $2, $3, $4, cardinality($5::text[]), $5)`,
			r.ID, nos[i], firsts[i], lasts[i], members[i]); err != nil {
			return fmt.Errorf("settlement: plan %s: batches: %w", r.ID, err)
		}
	}
	for _, no := range nos {
		if err := s.insert(ctx, tx, BatchArgs{TenantArgs: job.Args.TenantArgs, RunID: r.ID, BatchNo: no}); err != nil {
			return err
		}
	}
	if len(nos) == 0 {
		if err := s.insert(ctx, tx, CloseArgs{TenantArgs: job.Args.TenantArgs, RunID: r.ID}); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `
		UPDATE settlement_runs SET status = 'computing', batches_total = $2, residents_total = $3, error = NULL
		WHERE tenant_id = current_tenant() AND id = $1`, r.ID, len(nos), len(ids))
	return err
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with values that always marshal
	}
	return b
}

// item is a row of settlement_items.
type item struct {
	ResidentID string
	Name       string
	IBAN       string
	Bijstand   money.Cents
	Reserve    money.Cents
	Applied    money.Cents
	Payout     money.Cents
	Shortfall  money.Cents
	// VakantietoeslagPaid is the reserve paid out with this run.
	VakantietoeslagPaid money.Cents
	// Released is what this run pays of payouts held in earlier final runs.
	Released   money.Cents
	Deductions []itemDeduction
	Hold       string
	// Counters are the applicants' vrijlating counters the month advanced.
	Counters []itemCounters
	// Uncomputed is why the month could not be computed, if it could not.
	Uncomputed string
	// Receipt is the month's receipt as stored (receipt.go).
	Receipt storedReceipt
}

type itemDeduction struct {
	ID        string
	Kind      string
	Requested money.Cents
	Applied   money.Cents
	Shortfall money.Cents
	Creditor  string
	Reference string
}

// encodeDeductions writes deductions as settlement_items.deductions holds them: a
// line per deduction, its fields separated by tabs. A field holding a tab or a line
// break is refused (ids, kinds and references never do: they are validated where they
// are made).
func encodeDeductions(ds []itemDeduction) (string, error) {
	var b strings.Builder
	for i, d := range ds {
		for _, f := range []string{d.ID, d.Kind, d.Creditor, d.Reference} {
			if strings.ContainsAny(f, "\t\n") {
				return "", fmt.Errorf("deduction %d: a tab or line break in %q", i, f)
			}
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.ID)
		for _, f := range []string{d.Kind, strconv.FormatInt(int64(d.Requested), 10), strconv.FormatInt(int64(d.Applied), 10),
			strconv.FormatInt(int64(d.Shortfall), 10), d.Creditor, d.Reference} {
			b.WriteByte('\t')
			b.WriteString(f)
		}
	}
	return b.String(), nil
}

// decodeDeductions reads what encodeDeductions wrote.
func decodeDeductions(s string) ([]itemDeduction, error) {
	if s == "" {
		return nil, nil
	}
	lines := strings.Split(s, "\n")
	out := make([]itemDeduction, len(lines))
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("deduction %d: %d fields, want 7", i, len(f))
		}
		var c [3]int64
		for j := range c {
			v, err := strconv.ParseInt(f[2+j], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("deduction %d: %w", i, err)
			}
			c[j] = v
		}
		out[i] = itemDeduction{ID: f[0], Kind: f[1], Requested: money.Cents(c[0]), Applied: money.Cents(c[1]),
			Shortfall: money.Cents(c[2]), Creditor: f[5], Reference: f[6]}
	}
	return out, nil
}

// HoldInvalidIBAN is the hold of a payout because the resident's account number is not
// a valid IBAN (Statement.Hold, the run's held payouts).
const HoldInvalidIBAN = "geen geldig rekeningnummer (IBAN): vul het juiste rekeningnummer in, dan volgt de betaling"

// holdReason is why a payout cannot be paid, in Dutch for the consulent who resolves
// it; "" when it can.
func holdReason(m ResidentMonth) string {
	if _, err := iban.Parse(string(m.IBAN)); err != nil {
		return HoldInvalidIBAN
	}
	if m.Name == "" {
		return "geen naam voor de betaling"
	}
	return ""
}

func (s *Service) batch(ctx context.Context, tx pgx.Tx, job *river.Job[BatchArgs], in batchInput) (err error) {
	defer s.cfg.Metrics.step("batch", job.Args.Tenant, in.started, &err)
	t := job.Args.Tenant
	r, err := getRun(ctx, tx, job.Args.RunID, false)
	if err != nil {
		return fmt.Errorf("settlement: batch %s/%d: %w", job.Args.RunID, job.Args.BatchNo, err)
	}
	if r.Status != StatusComputing {
		return nil
	}
	var first, last string
	var members []string
	var done *time.Time
	err = tx.QueryRow(ctx, `
		SELECT first_resident, last_resident, members, done_at FROM settlement_batches
		WHERE tenant_id = current_tenant() AND run_id = $1 AND batch_no = $2 FOR UPDATE`,
		r.ID, job.Args.BatchNo).Scan(&first, &last, &members, &done)
	if err != nil {
		return fmt.Errorf("settlement: batch %s/%d: %w", r.ID, job.Args.BatchNo, err)
	}
	if done != nil {
		return nil
	}
	if !in.read || in.first != first || in.last != last {
		return errInputStale
	}
	// A range read in the batch's own transaction (the reserves below) is planned for
	// its own parameters: a generic plan of a prepared statement (pgx prepares every
	// query) guesses a scan of the whole tenant, 100 times slower at 100,000 residents.
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return err
	}
	if in.compute != nil {
		// The law data, not a resident's: every month of the period would be refused, and
		// retrying does not change it. The run fails, saying why.
		return s.fail(ctx, tx, r, "the month could not be computed: "+in.compute.Error())
	}
	months, missing := memberMonths(in.months, members)
	if missing != "" {
		// Residents are never deleted while their gemeente is served: a member without a
		// month is a read gone wrong, not a resident's data. Pay no one a guess.
		return s.fail(ctx, tx, r, "resident "+missing+" was planned into the run but the caseload returned no month for it")
	}
	if err := s.payVakantietoeslag(ctx, tx, r, months, first, last); err != nil {
		return err
	}
	owed, err := heldOwed(ctx, tx, r, first, last)
	if err != nil {
		return err
	}
	if msg := checkOwed(ctx, tx, owed); msg != "" {
		return s.fail(ctx, tx, r, msg)
	}
	var c itemColumns
	uncomputed := 0
	for _, m := range months {
		m.Hold = "" // the run's to decide, not the caseload's
		if m.Uncomputed == "" {
			m.Hold = holdReason(m)
		}
		if m.Uncomputed == "" && m.Hold == "" {
			m.Released = owed[m.ResidentID].Due
		}
		it := toItem(m)
		if it.Receipt, err = receiptColumns(m); err != nil {
			return fmt.Errorf("settlement: batch %s/%d: resident %s: %w", r.ID, job.Args.BatchNo, m.ResidentID, err)
		}
		if m.Uncomputed != "" {
			uncomputed++
		}
		if err := c.add(it); err != nil {
			return err
		}
	}
	if err := c.insert(ctx, tx, r.ID, job.Args.BatchNo); err != nil {
		return fmt.Errorf("settlement: batch %s/%d: items: %w", r.ID, job.Args.BatchNo, err)
	}
	if _, err := tx.Exec(ctx, `
		UPDATE settlement_batches SET done_at = $3 WHERE tenant_id = current_tenant() AND run_id = $1 AND batch_no = $2`,
		r.ID, job.Args.BatchNo, s.cfg.Now()); err != nil {
		return err
	}
	var doneN, total int
	if err := tx.QueryRow(ctx, `
		UPDATE settlement_runs SET batches_done = batches_done + 1, residents_done = residents_done + $2
		WHERE tenant_id = current_tenant() AND id = $1
		RETURNING batches_done, batches_total`, r.ID, len(members)).Scan(&doneN, &total); err != nil {
		return err
	}
	s.cfg.Metrics.computed(t, len(months)-uncomputed, uncomputed)
	if doneN == total {
		// The row lock of the update makes exactly one batch see the last count.
		return s.insert(ctx, tx, CloseArgs{TenantArgs: job.Args.TenantArgs, RunID: r.ID})
	}
	return nil
}

// memberMonths keeps the months of the batch's members, in the members' order, and
// names the first member the caseload returned no month for.
func memberMonths(months []ResidentMonth, members []string) ([]ResidentMonth, string) {
	byID := make(map[string]ResidentMonth, len(months))
	for _, m := range months {
		byID[m.ResidentID] = m
	}
	out := make([]ResidentMonth, 0, len(members))
	for _, id := range members {
		m, ok := byID[id]
		if !ok {
			return nil, id
		}
		out = append(out, m)
	}
	return out, ""
}

// payVakantietoeslag sets, in the tenant's vakantietoeslag month, what each resident is
// paid out of the reserve: every reserve of an earlier final run not yet paid out, and
// this month's. A resident whose month was not computed is paid none of it: what is
// owed stays owed, for the next vakantietoeslag month.
func (s *Service) payVakantietoeslag(ctx context.Context, tx pgx.Tx, r Run, months []ResidentMonth, first, last string) error {
	st, ok := s.cfg.Tenants.Settings(r.Tenant)
	if !ok || int(r.Period.Month) != st.VakantietoeslagMonth || len(months) == 0 {
		return nil
	}
	owed, err := perResident(ctx, tx, `
		SELECT i.resident_id, sum(i.reserve_cents - i.vakantietoeslag_cents)::bigint
		FROM settlement_runs r
		JOIN settlement_items i ON i.tenant_id = r.tenant_id AND i.run_id = r.id
		WHERE r.tenant_id = current_tenant() AND r.status = 'final' AND r.period < $1
		  AND i.resident_id BETWEEN $2 AND $3
		GROUP BY i.resident_id`, r.Period.First(), first, last)
	if err != nil {
		return fmt.Errorf("settlement: reserves: %w", err)
	}
	for i := range months {
		if months[i].Uncomputed == "" {
			o := max(owed[months[i].ResidentID], 0)
			months[i].VakantietoeslagPaid = o + months[i].Result.VakantietoeslagReserve
			months[i].vtMonth, months[i].vtOwed = true, o
		}
	}
	return nil
}

// owedHeld is what a resident is owed of payouts held in earlier runs.
type owedHeld struct {
	// Due is what this run pays if the resident's account is valid: what final runs of
	// earlier periods held, less what runs that can still pay released.
	Due money.Cents
	// Booked is what the ledger must show as owed: what final runs held, less what
	// final runs released.
	Booked money.Cents
}

// heldOwed returns, per resident of the range first..last with something held or
// released, what is still owed of the payouts held in earlier final runs. A resident
// whose account is valid again is paid it with this run (the batch sets
// ResidentMonth.Released); one still held, or whose month was not computed, keeps it
// owed for a later run. Only the items that held or released something are read (the
// partial index settlement_items_owed).
//
// A release counts against Due from the moment its run can still pay (awaiting
// approval, posting, final): a final run only ever follows final runs (checkOrder), so
// for it only final runs count, while a dry-run of the next month while this one awaits
// approval, or of a month already final, shows what will really be paid.
func heldOwed(ctx context.Context, tx pgx.Tx, r Run, first, last string) (map[string]owedHeld, error) {
	rows, err := tx.Query(ctx, `
		SELECT i.resident_id,
		       sum(CASE WHEN i.hold IS NOT NULL AND r.status = 'final' AND r.period < $1
		                THEN i.payout_cents + i.vakantietoeslag_cents ELSE 0 END - i.released_cents)::bigint,
		       sum(CASE WHEN r.status <> 'final' THEN 0 WHEN i.hold IS NOT NULL
		                THEN i.payout_cents + i.vakantietoeslag_cents ELSE -i.released_cents END)::bigint
		FROM settlement_runs r
		JOIN settlement_items i ON i.tenant_id = r.tenant_id AND i.run_id = r.id
		WHERE r.tenant_id = current_tenant() AND NOT r.dry_run AND r.id <> $4
		  AND r.status IN ('final', 'posting', 'awaiting_approval')
		  AND i.resident_id BETWEEN $2 AND $3 AND (i.hold IS NOT NULL OR i.released_cents > 0)
		GROUP BY i.resident_id`, r.Period.First(), first, last, r.ID)
	if err != nil {
		return nil, fmt.Errorf("settlement: held payouts: %w", err)
	}
	out := map[string]owedHeld{}
	var id string
	var due, booked int64
	_, err = pgx.ForEachRow(rows, []any{&id, &due, &booked}, func() error {
		if due != 0 || booked != 0 {
			out[id] = owedHeld{Due: money.Cents(due), Booked: money.Cents(booked)}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("settlement: held payouts: %w", err)
	}
	return out, nil
}

// checkOwed checks what the items say is owed against the ledger, the record of what
// the gemeente owes each resident: a held payout was credited to the resident's
// account and never paid from it. Any difference (or an amount owed below zero) is a
// booking gone wrong, not a resident's data: the run fails, naming the resident, and
// pays no one on a guess. It returns the failure, or "".
func checkOwed(ctx context.Context, tx pgx.Tx, owed map[string]owedHeld) string {
	if len(owed) == 0 {
		return ""
	}
	accounts := make([]string, 0, len(owed))
	for id := range owed {
		accounts = append(accounts, ledger.ResidentAccount(id))
	}
	slices.Sort(accounts)
	bal, err := perResident(ctx, tx, `
		SELECT account_code, sum(amount_cents)::bigint FROM ledger_movements
		WHERE tenant_id = current_tenant() AND account_code = ANY($1) GROUP BY account_code`, accounts)
	if err != nil {
		return "the held payouts could not be checked against the ledger: " + err.Error()
	}
	for _, acct := range accounts {
		id := strings.TrimPrefix(acct, ledger.ResidentAccount(""))
		if o := owed[id]; o.Due < 0 || o.Booked < 0 || -bal[acct] != o.Booked {
			return fmt.Sprintf("resident %s: the held payouts still owed are %s by the settlement items (%s due now) and %s by the ledger",
				id, o.Booked, o.Due, -bal[acct])
		}
	}
	return ""
}

// perResident reads query's rows of (resident id, cents) into a map.
func perResident(ctx context.Context, tx pgx.Tx, query string, args ...any) (map[string]money.Cents, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]money.Cents{}
	var id string
	var c int64
	_, err = pgx.ForEachRow(rows, []any{&id, &c}, func() error {
		out[id] = money.Cents(c)
		return nil
	})
	return out, err
}

// itemColumns are items as columns, for one INSERT of unnested arrays: the bulk path
// under row-level security, where COPY is not allowed.
type itemColumns struct {
	ids, names, ibans, deds, counters                   []string
	bijstand, reserve, applied, payout, shortfall, paid []int64
	released                                            []int64
	holds, uncomputed                                   []*string
	// The receipts: NULL where the caseload gave none.
	inputs, laws, engines, wages []*string
	hashes                       [][]byte
	configs                      []*int32
}

func (c *itemColumns) add(it item) error {
	ded, err := encodeDeductions(it.Deductions)
	if err != nil {
		return fmt.Errorf("resident %s: %w", it.ResidentID, err)
	}
	var hold, uncomputed *string
	if it.Hold != "" {
		hold = &it.Hold
	}
	if it.Uncomputed != "" {
		uncomputed = &it.Uncomputed
	}
	c.ids, c.names, c.ibans, c.deds = append(c.ids, it.ResidentID), append(c.names, it.Name), append(c.ibans, it.IBAN), append(c.deds, string(ded))
	c.bijstand, c.reserve, c.applied = append(c.bijstand, int64(it.Bijstand)), append(c.reserve, int64(it.Reserve)), append(c.applied, int64(it.Applied))
	c.payout, c.shortfall, c.paid = append(c.payout, int64(it.Payout)), append(c.shortfall, int64(it.Shortfall)), append(c.paid, int64(it.VakantietoeslagPaid))
	c.holds, c.counters = append(c.holds, hold), append(c.counters, encodeCounters(it.Counters))
	c.uncomputed, c.released = append(c.uncomputed, uncomputed), append(c.released, int64(it.Released))
	rc := it.Receipt
	c.inputs, c.laws, c.engines, c.wages = append(c.inputs, rc.Inputs), append(c.laws, rc.LawFile), append(c.engines, rc.EngineVersion), append(c.wages, rc.Wages)
	c.hashes, c.configs = append(c.hashes, rc.Hash), append(c.configs, rc.ConfigVersion)
	return nil
}

func (c *itemColumns) insert(ctx context.Context, tx pgx.Tx, runID string, batchNo int) error {
	if len(c.ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO settlement_items (tenant_id, run_id, resident_id, batch_no, name, iban, bijstand_cents, reserve_cents,
		                              applied_cents, payout_cents, shortfall_cents, vakantietoeslag_cents, deductions, hold, counters,
		                              uncomputed, inputs, inputs_sha256, law_file, config_version, engine_version, wages,
		                              released_cents)
		SELECT current_tenant(), $1, u.id, $2, u.name, u.iban, u.b, u.r, u.a, u.p, u.s, u.v, u.d, u.h, u.c, u.x,
		       u.inp, u.sha, u.law, u.cfg, u.eng, u.w, u.rel
		FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],
		            $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[],
		            $16::text[], $17::bytea[], $18::text[], $19::integer[], $20::text[], $21::text[], $22::bigint[])
		     AS u(id, name, iban, b, r, a, p, s, v, d, h, c, x, inp, sha, law, cfg, eng, w, rel)`,
		runID, batchNo, c.ids, c.names, c.ibans, c.bijstand, c.reserve, c.applied, c.payout, c.shortfall, c.paid, c.deds, c.holds,
		c.counters, c.uncomputed, c.inputs, c.hashes, c.laws, c.configs, c.engines, c.wages, c.released)
	return err
}

func toItem(m ResidentMonth) item {
	r := m.Result
	it := item{ResidentID: m.ResidentID, Name: m.Name, IBAN: string(m.IBAN), Bijstand: r.Bijstand,
		Reserve: r.VakantietoeslagReserve, Payout: r.Payout, VakantietoeslagPaid: m.VakantietoeslagPaid,
		Released: m.Released, Hold: m.Hold, Deductions: make([]itemDeduction, 0, len(r.Deductions)), Counters: advanced(r), Uncomputed: m.Uncomputed}
	for _, d := range r.Deductions {
		it.Applied += d.Applied
		it.Shortfall += d.Shortfall
		plan := m.Plans[d.ID]
		it.Deductions = append(it.Deductions, itemDeduction{ID: d.ID, Kind: string(d.Kind), Requested: d.Requested,
			Applied: d.Applied, Shortfall: d.Shortfall, Creditor: plan.CreditorID, Reference: plan.Reference})
	}
	return it
}

// readMonths reads a run's items back as the months Assemble, Entries and Reconcile
// take, in resident id order.
func readMonths(ctx context.Context, tx pgx.Tx, r Run) ([]ResidentMonth, error) {
	rows, err := tx.Query(ctx, `
		SELECT resident_id, name, iban, bijstand_cents, reserve_cents, payout_cents, vakantietoeslag_cents, deductions,
		       coalesce(hold, ''), counters, coalesce(uncomputed, ''), released_cents
		FROM settlement_items WHERE tenant_id = current_tenant() AND run_id = $1 ORDER BY resident_id`, r.ID)
	if err != nil {
		return nil, fmt.Errorf("settlement: read items: %w", err)
	}
	defer rows.Close()
	out := make([]ResidentMonth, 0, r.ResidentsTotal)
	for rows.Next() {
		var m ResidentMonth
		var ibanText string
		var bij, res, pay, vt, rel int64
		var dedText, countersText string
		if err := rows.Scan(&m.ResidentID, &m.Name, &ibanText, &bij, &res, &pay, &vt, &dedText, &m.Hold, &countersText,
			&m.Uncomputed, &rel); err != nil {
			return nil, fmt.Errorf("settlement: read items: %w", err)
		}
		deds, err := decodeDeductions(dedText)
		if err != nil {
			return nil, fmt.Errorf("settlement: item %s: deductions: %w", m.ResidentID, err)
		}
		m.IBAN, m.VakantietoeslagPaid, m.Released = iban.IBAN(ibanText), money.Cents(vt), money.Cents(rel)
		m.Result = bijstand.Result{Period: r.Period, Bijstand: money.Cents(bij), VakantietoeslagReserve: money.Cents(res),
			Payout: money.Cents(pay), Deductions: make([]bijstand.DeductionResult, len(deds))}
		if err := decodeCounters(countersText, &m.Result); err != nil {
			return nil, fmt.Errorf("settlement: item %s: %w", m.ResidentID, err)
		}
		for i, d := range deds {
			m.Result.Deductions[i] = bijstand.DeductionResult{ID: d.ID, Kind: bijstand.DeductionKind(d.Kind),
				Requested: d.Requested, Applied: d.Applied, Shortfall: d.Shortfall}
			if d.Creditor != "" {
				if m.Plans == nil {
					m.Plans = map[string]PlanRef{}
				}
				m.Plans[d.ID] = PlanRef{CreditorID: d.Creditor, Reference: d.Reference}
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Service) close(ctx context.Context, tx pgx.Tx, job *river.Job[CloseArgs], creditors map[string]CreditorInfo) (err error) {
	defer s.cfg.Metrics.step("close", job.Args.Tenant, time.Now(), &err)
	r, err := getRun(ctx, tx, job.Args.RunID, true)
	if err != nil {
		return fmt.Errorf("settlement: close %s: %w", job.Args.RunID, err)
	}
	if r.Status != StatusComputing || r.BatchesDone != r.BatchesTotal {
		return nil
	}
	months, err := readMonths(ctx, tx, r)
	if err != nil {
		return err
	}
	report, err := reconcileRun(r, months, creditors)
	if err != nil && !errors.Is(err, ErrNotReconciled) {
		return s.fail(ctx, tx, r, err.Error())
	}
	report.Law = s.runLaw(r)
	status, finished, msg := StatusAwaitingApproval, (*time.Time)(nil), (*string)(nil)
	now := s.cfg.Now()
	switch {
	case !report.OK:
		status, finished = StatusFailed, &now
		m := "the run does not reconcile: " + err.Error()
		msg = &m
	case report.Residents == 0 && report.UncomputedResidents > 0:
		// Not one month computed: a cause shared by all (the caseload, the data of a
		// whole gemeente), not a resident's. A run that pays no one never goes to
		// approval, where it would lock the month.
		status, finished = StatusFailed, &now
		m := fmt.Sprintf("no resident's month could be computed (%d residents), the first: %s",
			report.UncomputedResidents, report.Uncomputed[0].Reason)
		msg = &m
	case r.DryRun:
		status, finished = StatusDryRunDone, &now
	}
	if _, err := tx.Exec(ctx, `
		UPDATE settlement_runs SET status = $2, computed_at = $3, finished_at = $4, error = $5, report = $6
		WHERE tenant_id = current_tenant() AND id = $1`, r.ID, string(status), now, finished, msg, mustJSON(report)); err != nil {
		return err
	}
	if status.Ended() {
		r.Status, r.FinishedAt = status, finished
		s.cfg.Metrics.ended(r)
	}
	return nil
}

// reconcileRun assembles the payments of the months and reconciles them; the report
// is returned with ErrNotReconciled when it does not reconcile, and an error of
// Assemble (a plan naming an unknown creditor) otherwise.
func reconcileRun(r Run, months []ResidentMonth, creditors map[string]CreditorInfo) (Report, error) {
	p, err := Assemble(r.Period, r.ID, months, creditors)
	if err != nil {
		return Report{}, err
	}
	return reconcile(r.ResidentsTotal, months, p, nil)
}

// Kick inserts again the jobs of the step a run is in: after a worker was killed, its
// job stays "running" in River until River's rescuer gives up on it (an hour and
// more), and a run must not wait that long. A step that is alive holds its row lock
// (the run's for plan, close and post; the batch's for a batch) in its open
// transaction, and a killed worker's transaction is gone with its locks: so Kick skips
// what is locked and re-inserts only what no live worker has. A copy that still
// meets a live job (one queued, not yet started, or reading its input before it
// locks) is harmless: the copies serialise on
// the step's lock and find the work done. A run that waits for approval or has ended
// needs no kick.
func (s *Service) Kick(ctx context.Context, t tenant.ID, id string) error {
	nonce := s.cfg.Now().UnixNano()
	ta := jobs.TenantArgs{Tenant: t}
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		r, err := getRun(ctx, tx, id, false)
		if err != nil {
			return err
		}
		runFree := func() (bool, error) {
			rows, err := tx.Query(ctx, `
				SELECT 1 FROM settlement_runs WHERE tenant_id = current_tenant() AND id = $1 FOR UPDATE SKIP LOCKED`, id)
			if err != nil {
				return false, err
			}
			n, err := pgx.CollectRows(rows, pgx.RowTo[int])
			return len(n) == 1, err
		}
		switch r.Status {
		case StatusPlanning, StatusPosting:
			if free, err := runFree(); err != nil || !free {
				return err
			}
			if r.Status == StatusPlanning {
				return s.insert(ctx, tx, PlanArgs{TenantArgs: ta, RunID: id, Kick: nonce})
			}
			return s.insert(ctx, tx, PostArgs{TenantArgs: ta, RunID: id, Kick: nonce})
		case StatusComputing:
			if r.BatchesDone == r.BatchesTotal {
				if free, err := runFree(); err != nil || !free {
					return err
				}
				return s.insert(ctx, tx, CloseArgs{TenantArgs: ta, RunID: id, Kick: nonce})
			}
			rows, err := tx.Query(ctx, `
				SELECT batch_no FROM settlement_batches
				WHERE tenant_id = current_tenant() AND run_id = $1 AND done_at IS NULL
				ORDER BY batch_no FOR UPDATE SKIP LOCKED`, id)
			if err != nil {
				return err
			}
			nos, err := pgx.CollectRows(rows, pgx.RowTo[int])
			if err != nil {
				return err
			}
			for _, no := range nos {
				if err := s.insert(ctx, tx, BatchArgs{TenantArgs: ta, RunID: id, BatchNo: no, Kick: nonce}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("settlement: kick run %s: %w", id, err)
	}
	return nil
}

// Schedule is the periodic job's work: for every active tenant whose calendar has
// reached the start date of the current month, it starts the month's run if there is
// none. Start finds a run that exists, so running it hourly is harmless.
func (s *Service) Schedule(ctx context.Context) error {
	today := s.today()
	period := bijstand.PeriodOf(today)
	var errs []error
	for _, t := range s.cfg.Tenants.Active() {
		st, ok := s.cfg.Tenants.Settings(t)
		if !ok || st.Status != "active" || today.Before(StartDate(st, period)) {
			continue
		}
		if cur, ok, err := s.Current(ctx, t, period); err != nil {
			errs = append(errs, err)
			continue
		} else if ok {
			if !cur.Status.Ended() && cur.Status != StatusAwaitingApproval && s.cfg.Now().Sub(cur.StartedAt) > time.Hour {
				// Still on its way after an hour: a worker died under it.
				if err := s.Kick(ctx, t, cur.ID); err != nil {
					errs = append(errs, err)
				}
			}
			continue
		}
		// A month on stale law data is not started by the calendar: someone starts it
		// with the acknowledgement (the law data's staleness is on the operators' page
		// and in plein_law_data_stale).
		if _, _, err := s.Start(ctx, t, period, false, SchedulerActor); err != nil && !errors.Is(err, ErrPeriodFinal) && !errors.Is(err, ErrStaleLaw) {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// SchedulerActor is who starts the runs of the calendar.
const SchedulerActor = "system:settlement-scheduler"

// ScheduleArgs is the periodic job that starts the month's runs.
type ScheduleArgs struct{}

// Kind implements river.JobArgs.
func (ScheduleArgs) Kind() string { return "settlement.schedule" }

// PeriodicJobs are the settlement's periodic jobs: the calendar, checked every hour.
func PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) {
			return ScheduleArgs{}, &river.InsertOpts{Queue: jobs.QueueSettlement}
		}, &river.PeriodicJobOpts{RunOnStart: true})}
}
