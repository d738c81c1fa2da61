package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans"
)

// The fixture loader writes the caseload of a settlement benchmark (synth.Bench)
// straight into the tables, as `plein seed` would leave them through the services'
// APIs but without a call, a transaction and a round trip per row: 50,000 residents
// per transaction, two transactions at a time, each table's rows in one statement per
// 2,500 residents.
//
// The pool is plein_app's, under row-level security, and PostgreSQL refuses COPY FROM
// into a table with row-level security for such a role. So the rows are encoded here
// in the binary COPY format, copied with pgx's PgConn.CopyFrom into temporary tables
// (which have none), and moved on with INSERT … SELECT, which checks every policy,
// CHECK, unique index and foreign key as any insert of the services does. Those
// checks, not Go, are what a load costs: about 30 µs of PostgreSQL per plan row on
// this machine (heap 4, CHECKs 6, two indexes 10, the foreign key 12), where drawing,
// sealing and encoding a whole resident takes Go about 13 µs (synth's
// BenchmarkBenchDraw and BenchmarkFixtureEncode here).
//
// Every CHECK of the schema and every rule of the services holds: valid and unique
// BSNs sealed with the tenant as associated data and indexed with the sealer's blind
// index, mod-97 IBANs, UUIDv4 ids, references that fit their creditor's pattern, plan
// amounts below the resident's norm, and the acts of a plan as Request and Approve
// record them (plan_events; audit_log and outbound_messages by choice, see
// fixtureOptions).
//
// The same seed and number of residents in the same tenant give the same caseload
// (synth.Bench): the same ids, names, dates and amounts. Only the sealed BSNs differ
// (each seal has a random nonce), and the timestamps when the period lies ahead (see
// synth.BenchAsOf).

// Size of the work [policy for benchmarks].
const (
	// fixtureChunk residents go into one transaction.
	fixtureChunk = 50000
	// fixtureWorkers chunks are loaded at the same time, one per core here: PostgreSQL
	// inserts a transaction's rows on one core.
	fixtureWorkers = 2
)

// fxPayslipSource is the source of the payslips: handed in by a consulent.
const fxPayslipSource = "consulent"

// fixtureStats is what loadFixture wrote.
type fixtureStats struct {
	Residents, Payslips, Plans int
	Elapsed                    time.Duration
}

// loadFixture writes the caseload of synth.Bench: n residents of tenant t for period
// with exactly three approved, active deductions each (rent and zorgpremie on_behalf,
// an aflossing of 18 months), the tenant's woningcorporaties made through
// services/creditors when missing. Deterministic given seed. pool is a pool of
// plein_app; t must exist, period must have bijstand norms. Loading the same seed and
// n twice into one tenant fails: the ids are the same. A load that fails keeps the
// chunks it committed before the failure.
//
// Beside the cases, the payslips and the plans it writes each plan's history
// (defaultFixture); loadFixtureWith chooses.
func loadFixture(ctx context.Context, pool *pgxpool.Pool, sealer *bsn.Sealer, t tenant.ID, n int, period bijstand.Period, seed uint64) (fixtureStats, error) {
	return loadFixtureWith(ctx, pool, sealer, t, n, period, seed, defaultFixture)
}

// fixtureOptions choose what a load writes beside the cases, the payslips and the
// plans, which it always writes. Each adds rows that the settlement does not read
// but that paymentplans.Request and Approve write with a plan; each costs about as
// much to insert as the plans themselves (two rows a plan for Events and Audit, one
// for Messages).
type fixtureOptions struct {
	// Events: each plan's history, its request and approve acts (plan_events), as
	// paymentplans.Events returns it.
	Events bool
	// Messages: each plan's start message to its creditor (outbound_messages), as
	// paymentplans.Export returns it.
	Messages bool
	// Audit: the audit entries of those acts (audit_log).
	Audit bool
}

var (
	// defaultFixture adds the plans' history to what the settlement reads.
	defaultFixture = fixtureOptions{Events: true}
	// fullFixture is everything Request and Approve leave behind.
	fullFixture = fixtureOptions{Events: true, Messages: true, Audit: true}
	// leanFixture is what the settlement reads, the fastest to load.
	leanFixture = fixtureOptions{}
)

// loadFixtureWith is loadFixture writing what o chooses.
func loadFixtureWith(ctx context.Context, pool *pgxpool.Pool, sealer *bsn.Sealer, t tenant.ID, n int, period bijstand.Period,
	seed uint64, o fixtureOptions) (fixtureStats, error) {
	start := time.Now()
	switch {
	case !t.Valid():
		return fixtureStats{}, fmt.Errorf("fixture: %w", tenant.ErrInvalidID)
	case n < 0:
		return fixtureStats{}, fmt.Errorf("fixture: %d residents", n)
	case sealer == nil:
		return fixtureStats{}, errors.New("fixture: a BSN sealer is required")
	}
	taken, err := takenBSNs(ctx, pool, t)
	if err != nil {
		return fixtureStats{}, err
	}
	bench, err := synth.NewBench(ctx, synth.BenchConfig{Tenant: t, Period: period, Seed: seed,
		Creditors: creditors.NewService(pool, nil, nil), Now: time.Now(),
		Taken: func(b bsn.BSN) bool { _, dup := taken[[32]byte(sealer.BlindIndex(b))]; return dup }})
	if err != nil {
		return fixtureStats{}, fmt.Errorf("fixture: %w", err)
	}
	l := newLoad(bench, sealer, t, period)

	// At least fixtureWorkers chunks, so that every core has a transaction to run.
	size := max(1, min(fixtureChunk, (n+fixtureWorkers-1)/fixtureWorkers))
	chunks := (n + size - 1) / size
	var payslips, plans atomic.Int64
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(fixtureWorkers)
	for k := range chunks {
		if gctx.Err() != nil {
			break // a chunk failed: draw no more
		}
		eg.Go(func() error {
			rs, err := l.chunk(k, chunks, min(size, n-k*size))
			if err == nil {
				err = writeChunk(gctx, pool, l, rs, o)
			}
			if err != nil {
				return fmt.Errorf("fixture: chunk %d of %d: %w", k+1, chunks, err)
			}
			for _, r := range rs {
				payslips.Add(int64(len(r.Payslips)))
				plans.Add(int64(len(r.Plans)))
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return fixtureStats{}, err
	}
	return fixtureStats{Residents: n, Payslips: int(payslips.Load()), Plans: int(plans.Load()), Elapsed: time.Since(start)}, nil
}

// load is what every row of a load shares.
type load struct {
	bench  *synth.Bench
	sealer *bsn.Sealer
	tenant tenant.ID
	aad    []byte // the BSNs' associated data: the tenant
	period bijstand.Period
	asOf   time.Time
	// For the encoders: the status the approve event goes to, and the start message's
	// start_period and created_at.
	approvedTo     paymentplans.Status
	start, created string
}

func newLoad(bench *synth.Bench, sealer *bsn.Sealer, t tenant.ID, period bijstand.Period) *load {
	asOf := bench.AsOf()
	approvedTo := paymentplans.StatusApproved // the status an approval at asOf derives
	if bijstand.PeriodOf(asOf).First().Compare(period.First()) >= 0 {
		approvedTo = paymentplans.StatusActive
	}
	return &load{bench: bench, sealer: sealer, tenant: t, aad: []byte(t), period: period, asOf: asOf,
		approvedTo: approvedTo, start: period.String(), created: asOf.Format(time.RFC3339)}
}

// row is a resident drawn, with the BSNs sealed and indexed as services/residents
// stores them.
type row struct {
	*synth.Person
	sealed, index               []byte
	partnerSealed, partnerIndex []byte
}

// chunk draws chunk k of chunks, m residents, and seals their BSNs.
func (l *load) chunk(k, chunks, m int) ([]row, error) {
	people, err := l.bench.Chunk(k, chunks, m)
	if err != nil {
		return nil, err
	}
	rs := make([]row, len(people))
	for i := range people {
		if rs[i], err = l.row(&people[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// row is p with its BSNs sealed.
func (l *load) row(p *synth.Person) (row, error) {
	r := row{Person: p}
	var err error
	if r.sealed, r.index, err = l.seal(p.BSN); err != nil {
		return row{}, err
	}
	if p.Partner != nil {
		if r.partnerSealed, r.partnerIndex, err = l.seal(p.Partner.BSN); err != nil {
			return row{}, err
		}
	}
	return r, nil
}

// seal returns the BSN of digits sealed with the tenant as associated data, and its
// blind index.
func (l *load) seal(digits string) (sealed, index []byte, err error) {
	b, err := bsn.Parse(digits)
	if err != nil {
		return nil, nil, err
	}
	if sealed, err = l.sealer.Seal(b, l.aad); err != nil {
		return nil, nil, fmt.Errorf("seal BSN: %w", err)
	}
	return sealed, l.sealer.BlindIndex(b), nil
}

// takenBSNs returns the blind indexes of the BSNs the tenant's residents and partners
// have already: the fixture draws others.
func takenBSNs(ctx context.Context, pool *pgxpool.Pool, t tenant.ID) (map[[32]byte]struct{}, error) {
	taken := map[[32]byte]struct{}{}
	err := db.InTenant(tenant.WithID(ctx, t), pool, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT bsn_index FROM residents WHERE tenant_id = $1
			UNION ALL
			SELECT partner_bsn_index FROM residents WHERE tenant_id = $1 AND partner_bsn_index IS NOT NULL`, string(t))
		if err != nil {
			return err
		}
		var idx []byte
		_, err = pgx.ForEachRow(rows, []any{&idx}, func() error {
			if len(idx) == 32 {
				taken[[32]byte(idx)] = struct{}{}
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fixture: read the tenant's BSN indexes: %w", err)
	}
	return taken, nil
}

// employerKey is services/income's normalised employer name.
func employerKey(name string) string { return strings.Join(strings.Fields(strings.ToLower(name)), " ") }

// fxTable is a table the fixture writes: its columns, in the order enc writes them,
// and whether a load with options o writes it.
type fxTable struct {
	name, cols string
	enc        func(l *load, w *copyBuf, r *row)
	on         func(o fixtureOptions) bool
}

func always(fixtureOptions) bool { return true }

// fxTables are in the order of their foreign keys.
var fxTables = []fxTable{
	{"residents", `tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind,
		institution, parents_cannot_support, n_months_used, r_months_used, medisch_urenbeperkt,
		partner_name, partner_birth_date, partner_bsn_sealed, partner_bsn_index, partner_n_months_used,
		partner_r_months_used, partner_medisch_urenbeperkt, version, created_at, updated_at`, encResident, always},
	{"resident_children", `tenant_id, resident_id, position, birth_date`, encChildren, always},
	{"resident_housemates", `tenant_id, resident_id, position, birth_date, cost_sharer, description`, encHousemates, always},
	{"payslips", `tenant_id, id, resident_id, applicant, employer, employer_key, period_start, period_end,
		gross_cents, net_cents, hours_centi, pay_date, source, created_at`, encPayslip, always},
	{"plans", `tenant_id, id, resident_id, kind, creditor_id, reference, amount_cents, priority,
		start_period, end_period, status, mandate_given_by, mandate_given_at, mandate_recorded_by,
		requested_by, approved_by, approved_at, version, created_at, updated_at`, encPlans, always},
	{"plan_events", `tenant_id, plan_id, seq, at, actor, role, action, from_status, to_status, reason, request_id`,
		encEvents, func(o fixtureOptions) bool { return o.Events }},
	{"outbound_messages", `tenant_id, id, creditor_id, plan_id, kind, payload, created_at`,
		encMessages, func(o fixtureOptions) bool { return o.Messages }},
	{"audit_log", `tenant_id, at, actor, role, action, object_type, object_id, purpose, request_id`,
		encAudit, func(o fixtureOptions) bool { return o.Audit }},
}

// fxStageBatch residents are staged at a time: the staged rows of the largest table
// stay within the default temp_buffers (8 MB), so they never leave memory.
const fxStageBatch = 2500

// writeChunk writes rs in one transaction of the tenant, table by table in the order
// of the foreign keys.
//
// PostgreSQL refuses COPY FROM into a table under row-level security (as every tenant
// table is, FORCEd, for plein_app), so the rows are copied into temporary tables
// without it and moved on with INSERT … SELECT, which the policies check row by row.
func writeChunk(ctx context.Context, pool *pgxpool.Pool, l *load, rs []row, o fixtureOptions) error {
	var tables []fxTable
	for _, tb := range fxTables {
		if tb.on(o) {
			tables = append(tables, tb)
		}
	}
	return db.InTenant(tenant.WithID(ctx, l.tenant), pool, func(ctx context.Context, tx pgx.Tx) error {
		for _, tb := range tables {
			if _, err := tx.Exec(ctx, "CREATE TEMP TABLE fx_"+tb.name+" ON COMMIT DROP AS SELECT "+tb.cols+
				" FROM "+tb.name+" WITH NO DATA"); err != nil {
				return fmt.Errorf("stage %s: %w", tb.name, err)
			}
		}
		conn := tx.Conn().PgConn()
		for lo := 0; lo < len(rs); lo += fxStageBatch {
			part := rs[lo:min(len(rs), lo+fxStageBatch)]
			for _, tb := range tables {
				stage := "fx_" + tb.name
				if _, err := conn.CopyFrom(ctx, &copyReader{l: l, rs: part, enc: tb.enc},
					"COPY "+stage+" ("+tb.cols+") FROM STDIN (FORMAT binary)"); err != nil {
					return fmt.Errorf("copy %s: %w", tb.name, err)
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+tb.name+" ("+tb.cols+") SELECT "+tb.cols+" FROM "+stage+"; TRUNCATE "+stage)
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "residents_pkey" {
					return fmt.Errorf("%w (is this fixture in the tenant already? load another seed)", err)
				}
				if err != nil {
					return fmt.Errorf("insert %s: %w", tb.name, err)
				}
			}
		}
		return nil
	})
}

func encResident(l *load, w *copyBuf, r *row) {
	w.tuple(23)
	w.text(string(l.tenant))
	w.text(r.ID)
	w.text(r.Name)
	w.date(r.Applicant.BirthDate)
	w.bytea(r.sealed)
	w.bytea(r.index)
	w.text(r.IBAN)
	w.text(string(r.Kind.Household()))
	w.bool(false)
	w.bool(r.ParentsCannotSupport)
	w.int4(r.Applicant.NMonthsUsed)
	w.int4(r.Applicant.RMonthsUsed)
	w.bool(r.Applicant.MedischUrenbeperkt)
	if p := r.Partner; p != nil {
		w.text(p.Name)
		w.date(p.Applicant.BirthDate)
		w.bytea(r.partnerSealed)
		w.bytea(r.partnerIndex)
		w.int4(p.Applicant.NMonthsUsed)
		w.int4(p.Applicant.RMonthsUsed)
		w.bool(p.Applicant.MedischUrenbeperkt)
	} else {
		for range 7 {
			w.null()
		}
	}
	w.int4(1)
	w.timestamptz(l.asOf)
	w.timestamptz(l.asOf)
}

func encChildren(l *load, w *copyBuf, r *row) {
	for i, c := range r.Children {
		w.tuple(4)
		w.text(string(l.tenant))
		w.text(r.ID)
		w.int4(i)
		w.date(c)
	}
}

func encHousemates(l *load, w *copyBuf, r *row) {
	for i, h := range r.Housemates {
		w.tuple(6)
		w.text(string(l.tenant))
		w.text(r.ID)
		w.int4(i)
		w.date(h.BirthDate)
		w.bool(true)
		w.text(h.Description)
	}
}

func encPayslip(l *load, w *copyBuf, r *row) {
	for _, p := range r.Payslips {
		first := p.Period.First()
		w.tuple(14)
		w.text(string(l.tenant))
		w.text(p.ID)
		w.text(r.ID)
		w.int2(p.Applicant)
		w.text(p.Employer)
		w.text(employerKey(p.Employer))
		w.date(first)
		w.date(first.AddDate(0, 1, -1))
		w.int8(int64(p.Gross))
		w.int8(int64(p.Net))
		w.int8(p.HoursCenti)
		w.date(p.PayDate)
		w.text(fxPayslipSource)
		w.timestamptz(l.asOf)
	}
}

// encPlans writes the plans as Request and Approve leave them: stored status
// approved (the last act), version 2, the paper mandate of an on_behalf plan.
func encPlans(l *load, w *copyBuf, r *row) {
	for i := range r.Plans {
		p := &r.Plans[i]
		w.tuple(20)
		w.text(string(l.tenant))
		w.text(p.ID)
		w.text(r.ID)
		w.text(string(p.Kind))
		w.text(p.CreditorID)
		w.text(p.Reference)
		w.int8(int64(p.Amount))
		w.int4(p.Priority)
		w.date(p.Start.First())
		if p.End != nil {
			w.date(p.End.First())
		} else {
			w.null()
		}
		w.text(string(paymentplans.StatusApproved))
		if !p.MandateSignedOn.IsZero() {
			w.text(string(paymentplans.MandatePaper))
			w.timestamptz(p.MandateSignedOn)
			w.text(p.By.Subject)
		} else {
			w.null()
			w.null()
			w.null()
		}
		w.text(p.By.Subject)
		w.text(p.By.Subject)
		w.timestamptz(l.asOf)
		w.int4(2)
		w.timestamptz(l.asOf)
		w.timestamptz(l.asOf)
	}
}

// acts are what Request and Approve record of a plan, in order.
var acts = [...]paymentplans.Action{paymentplans.ActionRequest, paymentplans.ActionApprove}

// forActs calls enc for each act of each of r's plans, with its number in the plan's
// history (from 1): the history and the audit log have a row per act.
func forActs(r *row, enc func(p *synth.Plan, seq int, act paymentplans.Action)) {
	for i := range r.Plans {
		for seq, act := range acts {
			enc(&r.Plans[i], seq+1, act)
		}
	}
}

// encEvents writes each plan's history: requested, then approved by the same actor.
func encEvents(l *load, w *copyBuf, r *row) {
	forActs(r, func(p *synth.Plan, seq int, act paymentplans.Action) {
		w.tuple(11)
		w.text(string(l.tenant))
		w.text(p.ID)
		w.int4(seq)
		w.timestamptz(l.asOf)
		w.text(p.By.Subject)
		w.text(string(p.By.Role))
		w.text(string(act))
		if act == paymentplans.ActionRequest {
			w.null()
			w.text(string(paymentplans.StatusRequested))
		} else {
			w.text(string(paymentplans.StatusRequested))
			w.text(string(l.approvedTo))
		}
		w.text("")
		w.text("")
	})
}

// encMessages writes the message that tells each plan's creditor the plan starts.
func encMessages(l *load, w *copyBuf, r *row) {
	for i := range r.Plans {
		p := &r.Plans[i]
		w.tuple(7)
		w.text(string(l.tenant))
		w.text(p.MessageID)
		w.text(p.CreditorID)
		w.text(p.ID)
		w.text(string(paymentplans.MessageStart))
		w.jsonb(func(b []byte) []byte { return appendStartMessage(b, l, p) })
		w.timestamptz(l.asOf)
	}
}

// encAudit writes the audit entries paymentplans records for a request and an
// approval.
func encAudit(l *load, w *copyBuf, r *row) {
	forActs(r, func(p *synth.Plan, _ int, act paymentplans.Action) {
		w.tuple(9)
		w.text(string(l.tenant))
		w.timestamptz(l.asOf)
		w.text(p.By.Subject)
		w.text(string(p.By.Role))
		w.text("paymentplan." + string(act))
		w.text("paymentplan")
		w.text(p.ID)
		w.text("payment plan: " + string(act) + " (resident " + r.ID + ")")
		w.text("")
	})
}

// appendStartMessage appends the JSON of paymentplans.MessagePayload for the plan's
// start message: the same fields, the same order, as json.Marshal writes them. Every
// value is ASCII without anything to escape (ids, digits, periods, a tenant slug).
func appendStartMessage(b []byte, l *load, p *synth.Plan) []byte {
	b = append(b, `{"message_id":"`...)
	b = append(b, p.MessageID...)
	b = append(b, `","kind":"start","gemeente":"`...)
	b = append(b, l.tenant...)
	b = append(b, `","creditor_id":"`...)
	b = append(b, p.CreditorID...)
	b = append(b, `","plan_id":"`...)
	b = append(b, p.ID...)
	b = append(b, `","reference":"`...)
	b = append(b, p.Reference...)
	b = append(b, `","amount_cents":`...)
	b = strconv.AppendInt(b, int64(p.Amount), 10)
	b = append(b, `,"currency":"EUR","start_period":"`...)
	b = append(b, l.start...)
	if p.End != nil {
		b = append(b, `","end_period":"`...)
		b = append(b, p.End.String()...)
	}
	b = append(b, `","created_at":"`...)
	b = append(b, l.created...)
	return append(b, `"}`...)
}

// copyReader streams the rows of one table for a chunk in PostgreSQL's binary COPY
// format, encoding them as PgConn.CopyFrom reads.
type copyReader struct {
	l       *load
	rs      []row
	enc     func(l *load, w *copyBuf, r *row)
	next    int
	w       copyBuf
	off     int
	started bool
	done    bool
}

// copyFlush is how much a Read encodes ahead: a little under pgconn's 64 KiB message.
const copyFlush = 48 << 10

func (c *copyReader) Read(p []byte) (int, error) {
	for c.off == len(c.w.b) {
		if c.done {
			return 0, io.EOF
		}
		c.w.b, c.off = c.w.b[:0], 0
		if !c.started {
			c.w.b = append(c.w.b, "PGCOPY\n\xff\r\n\x00"...)
			c.w.b = append(c.w.b, 0, 0, 0, 0, 0, 0, 0, 0) // flags, header extension length
			c.started = true
		}
		for c.next < len(c.rs) && len(c.w.b) < copyFlush {
			c.enc(c.l, &c.w, &c.rs[c.next])
			c.next++
		}
		if c.next == len(c.rs) {
			c.w.b = binary.BigEndian.AppendUint16(c.w.b, 0xffff) // the trailer: -1
			c.done = true
		}
	}
	n := copy(p, c.w.b[c.off:])
	c.off += n
	return n, nil
}

// copyBuf appends the fields of binary COPY tuples: each a 32-bit length (−1 for
// NULL) and the value in the type's binary send format.
type copyBuf struct{ b []byte }

// pgEpoch is PostgreSQL's zero of dates and timestamps, in Unix seconds.
const pgEpoch = 946684800

func (w *copyBuf) tuple(fields int) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(fields)) }
func (w *copyBuf) null()            { w.b = binary.BigEndian.AppendUint32(w.b, 0xffffffff) }

func (w *copyBuf) text(s string) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
}

func (w *copyBuf) bytea(v []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(v)))
	w.b = append(w.b, v...)
}

func (w *copyBuf) bool(v bool) {
	var x byte
	if v {
		x = 1
	}
	w.b = append(w.b, 0, 0, 0, 1, x)
}

func (w *copyBuf) int2(v int) {
	w.b = append(w.b, 0, 0, 0, 2)
	w.b = binary.BigEndian.AppendUint16(w.b, uint16(int16(v)))
}

func (w *copyBuf) int4(v int) {
	w.b = append(w.b, 0, 0, 0, 4)
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(int32(v)))
}

func (w *copyBuf) int8(v int64) {
	w.b = append(w.b, 0, 0, 0, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(v))
}

// date writes the day of t (a UTC midnight): days since 2000-01-01.
func (w *copyBuf) date(t time.Time) {
	w.b = append(w.b, 0, 0, 0, 4)
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(int32((t.Unix()-pgEpoch)/86400)))
}

// timestamptz writes t as microseconds since 2000-01-01 UTC.
func (w *copyBuf) timestamptz(t time.Time) {
	w.b = append(w.b, 0, 0, 0, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(t.UnixMicro()-pgEpoch*1_000_000))
}

// jsonb writes the JSON that appendJSON appends, behind jsonb's version byte 1.
func (w *copyBuf) jsonb(appendJSON func([]byte) []byte) {
	at := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, 1)
	w.b = appendJSON(w.b)
	binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at-4))
}
