package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/uuid"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/tenant"
)

// Status is where a run is.
//
//	planning → computing → closing → awaiting_approval → posting → final
//	                                → dry_run_done (a dry-run)
//	failed, cancelled: ended without paying; the period may be run again.
type Status string

// The statuses of a run, as stored.
const (
	StatusPlanning         Status = "planning"
	StatusComputing        Status = "computing"
	StatusClosing          Status = "closing"
	StatusAwaitingApproval Status = "awaiting_approval"
	StatusPosting          Status = "posting"
	StatusFinal            Status = "final"
	StatusDryRunDone       Status = "dry_run_done"
	StatusFailed           Status = "failed"
	StatusCancelled        Status = "cancelled"
)

// Ended reports whether nothing more happens to a run in status s.
func (s Status) Ended() bool {
	return s == StatusFinal || s == StatusDryRunDone || s == StatusFailed || s == StatusCancelled
}

// Errors of the run service. Each comes wrapped with the run, period or tenant it is
// about; the API maps them to statuses.
var (
	ErrNotFound          = errors.New("settlement run not found")
	ErrPeriodTooEarly    = errors.New("the period cannot be settled yet: it is beyond the tenant's pay calendar")
	ErrPeriodFinal       = errors.New("the period is already settled (final): it is locked")
	ErrTenantNotActive   = errors.New("the tenant is not active: settlement is frozen")
	ErrFourEyes          = errors.New("four eyes: the run must be approved by someone other than who started it")
	ErrWrongState        = errors.New("the run is not in a state that allows this")
	ErrDryRunNotApproved = errors.New("a dry-run is never approved: start a run to pay")
	ErrNoLaw             = errors.New("no bijstand norms are known for the period")
)

// Run is a settlement run as the API and the CLI show it.
type Run struct {
	ID             string          `json:"id"`
	Tenant         tenant.ID       `json:"tenant"`
	Period         bijstand.Period `json:"-"`
	DryRun         bool            `json:"dry_run"`
	Status         Status          `json:"status"`
	SEPAVersion    sepa.Version    `json:"sepa_version"`
	StartedBy      string          `json:"started_by"`
	StartedAt      time.Time       `json:"started_at"`
	BatchesTotal   int             `json:"batches_total"`
	BatchesDone    int             `json:"batches_done"`
	ResidentsTotal int             `json:"residents_total"`
	ResidentsDone  int             `json:"residents_done"`
	ComputedAt     *time.Time      `json:"computed_at,omitempty"`
	ApprovedBy     string          `json:"approved_by,omitempty"`
	// StaleLawAcknowledgedBy is who acknowledged, starting this final run, that its
	// month's law data is stale (ErrStaleLaw); empty for every other run.
	StaleLawAcknowledgedBy string     `json:"stale_law_acknowledged_by,omitempty"`
	ApprovedAt             *time.Time `json:"approved_at,omitempty"`
	PostedAt               *time.Time `json:"posted_at,omitempty"`
	ExecutionDate          *time.Time `json:"-"`
	FinishedAt             *time.Time `json:"finished_at,omitempty"`
	Error                  string     `json:"error,omitempty"`
	Report                 *Report    `json:"report,omitempty"`
	// JobErrors counts the failed attempts of the run's jobs (each is retried), and
	// LastJobError is the latest: what an operator looks at when a run is slow. Set by
	// Get only.
	JobErrors    int    `json:"job_errors"`
	LastJobError string `json:"last_job_error,omitempty"`
}

// MarshalJSON adds the period as "YYYY-MM", the execution date as a date, the progress
// and the duration.
func (r Run) MarshalJSON() ([]byte, error) {
	type plain Run
	out := struct {
		plain
		Period        string   `json:"period"`
		ExecutionDate string   `json:"execution_date,omitempty"`
		Progress      float64  `json:"progress"`
		DurationS     *float64 `json:"duration_seconds,omitempty"`
	}{plain: plain(r), Period: r.Period.String(), Progress: r.Progress()}
	if r.ExecutionDate != nil {
		out.ExecutionDate = r.ExecutionDate.Format(time.DateOnly)
	}
	if r.FinishedAt != nil {
		d := r.FinishedAt.Sub(r.StartedAt).Seconds()
		out.DurationS = &d
	}
	return json.Marshal(out)
}

// Progress is the share of the run's residents computed, 0 to 1 (1 once computed).
func (r Run) Progress() float64 {
	switch {
	case r.ResidentsTotal > 0:
		return float64(r.ResidentsDone) / float64(r.ResidentsTotal)
	case r.Status == StatusPlanning:
		return 0
	default:
		return 1
	}
}

// Settings are a tenant's settlement settings, from its configuration.
type Settings struct {
	// Status is the tenant's lifecycle status; only "active" settles.
	Status string
	Debtor sepa.Debtor
	// PayDay is the day of the month the bijstand is paid (the Friday before when in a
	// weekend): the SEPA execution date.
	PayDay int
	// LeadDays is how many days before the pay date the run starts by itself.
	LeadDays int
	// VakantietoeslagMonth is the month (1–12) the reserve is paid out.
	VakantietoeslagMonth int
	SEPAVersion          sepa.Version
}

// Tenants gives a tenant's settings, the tenants to schedule and all of them.
type Tenants interface {
	Settings(t tenant.ID) (Settings, bool)
	Active() []tenant.ID
	All() []tenant.ID
}

// Caseload is what a run computes from: the residents, their months (through the one
// engine, with the payment plans in force) and the creditors. It reads through the
// owning services, each in a unit of work of its own, never in the run's transaction:
// a step reads its inputs first and then writes what it made of them in its own
// transaction, which locks and checks the run again (see readFirst).
type Caseload interface {
	// ResidentIDs lists t's residents in id order.
	ResidentIDs(ctx context.Context, t tenant.ID) ([]string, error)
	// Months computes the month of every resident of t with first ≤ id ≤ last, in id
	// order: Result, Name, IBAN and Plans set; Hold and VakantietoeslagPaid are the run's.
	// A month the engine cannot compute for the resident's own data is no error: it
	// comes with Uncomputed set (UncomputedReason) and no amounts, and the run goes on
	// for everyone else. A month the law data cannot compute is a *ComputeError (the
	// run fails); any other error is systemic (the database, a cancelled context): the
	// step fails and its job is retried.
	Months(ctx context.Context, t tenant.ID, period bijstand.Period, first, last string) ([]ResidentMonth, error)
	// Creditors returns every creditor a plan of the tenant may name.
	Creditors(ctx context.Context, t tenant.ID) (map[string]CreditorInfo, error)
}

// Config wires the service.
type Config struct {
	App      *pgxpool.Pool
	Jobs     *jobs.Client // inserts the run's jobs (an insert-only client will do)
	Caseload Caseload
	Tenants  Tenants
	// Counters counts the counters rows a final run recorded (the residents service):
	// a plan fails when the latest final run before it recorded fewer than it advanced
	// and no job is left to record them. Without it only River's jobs are checked.
	Counters CounterReader
	Metrics  *Metrics // optional
	// Law is the law data the months are computed with: for its staleness, and for
	// Replay to compute with; nil means the embedded one (law.MustLoad).
	Law *law.Book
	Now func() time.Time
	// BatchSize is the number of residents per batch job; 0 means 2,500.
	BatchSize int
	// FileSize is the most transfers in one SEPA file; 0 means 50,000.
	FileSize int
}

// Service runs settlements.
type Service struct{ cfg Config }

// NewService returns the settlement service.
func NewService(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Law == nil {
		cfg.Law = law.MustLoad()
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 2500
	}
	if cfg.FileSize <= 0 {
		cfg.FileSize = 50000
	}
	return &Service{cfg: cfg}
}

func (s *Service) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if !t.Valid() {
		return fmt.Errorf("settlement: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.cfg.App, fn)
}

// amsterdam is where pay dates are dates.
var amsterdam = clock.Amsterdam

// today is the current date in Amsterdam, as midnight UTC like every stored date.
func (s *Service) today() time.Time {
	y, m, d := s.cfg.Now().In(amsterdam).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// StartDate is the first day a run of period may start: LeadDays before its pay date.
func StartDate(st Settings, period bijstand.Period) time.Time {
	return period.PayDate(st.PayDay).AddDate(0, 0, -st.LeadDays)
}

// checkCalendar refuses a period beyond the tenant's calendar: a dry-run of at most the
// current month, a run from its StartDate on.
func (s *Service) checkCalendar(st Settings, period bijstand.Period, dryRun bool) error {
	today := s.today()
	if period.First().After(today) {
		return fmt.Errorf("%w: %s has not begun (today is %s)", ErrPeriodTooEarly, period, today.Format(time.DateOnly))
	}
	if start := StartDate(st, period); !dryRun && today.Before(start) {
		return fmt.Errorf("%w: the run of %s can start from %s (pay date %s); a dry-run can start now",
			ErrPeriodTooEarly, period, start.Format(time.DateOnly), period.PayDate(st.PayDay).Format(time.DateOnly))
	}
	return nil
}

func (s *Service) settings(t tenant.ID) (Settings, error) {
	st, ok := s.cfg.Tenants.Settings(t)
	if !ok {
		return Settings{}, fmt.Errorf("settlement: tenant %s: %w", t, ErrNotFound)
	}
	if st.Status != "active" {
		return Settings{}, fmt.Errorf("settlement: tenant %s is %s: %w", t, st.Status, ErrTenantNotActive)
	}
	return st, nil
}

// StartOptions are how a run starts and who starts it.
type StartOptions struct {
	DryRun bool
	By     string
	// AcknowledgeStaleLaw lets a final run of a month whose law data is stale start
	// (ErrStaleLaw); By is recorded as who acknowledged it. A dry-run needs none.
	AcknowledgeStaleLaw bool
}

// Start is StartWith without an acknowledgement of stale law data.
func (s *Service) Start(ctx context.Context, t tenant.ID, period bijstand.Period, dryRun bool, by string) (run Run, created bool, err error) {
	return s.StartWith(ctx, t, period, StartOptions{DryRun: dryRun, By: by})
}

// StartWith starts the run of period for t, or returns the run that is already on its
// way (created false). A dry-run always starts anew. It refuses a period beyond the
// calendar, a final period, a final run out of month order (checkOrder), a new final
// run on stale law data without o.AcknowledgeStaleLaw (ErrStaleLaw) and a tenant that
// is not active. The run row and its first job are inserted in one transaction: a run
// is never started without its work.
func (s *Service) StartWith(ctx context.Context, t tenant.ID, period bijstand.Period, o StartOptions) (run Run, created bool, err error) {
	dryRun, by := o.DryRun, o.By
	if by == "" {
		return Run{}, false, errors.New("settlement: start: who starts the run is required")
	}
	st, err := s.settings(t)
	if err != nil {
		return Run{}, false, err
	}
	if err := s.checkCalendar(st, period, dryRun); err != nil {
		return Run{}, false, fmt.Errorf("settlement: start %s: %w", period, err)
	}
	id, err := newID()
	if err != nil {
		return Run{}, false, err
	}
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		if !dryRun {
			cur, ok, err := currentRun(ctx, tx, period)
			if err != nil {
				return err
			}
			if ok {
				if cur.Status == StatusFinal {
					return fmt.Errorf("%w: run %s of %s", ErrPeriodFinal, cur.ID, period)
				}
				run = cur
				return nil
			}
			if err := checkOrder(ctx, tx, period); err != nil {
				return err
			}
			if err := s.checkStaleLaw(period, o.AcknowledgeStaleLaw); err != nil {
				return err
			}
		}
		var ackBy *string
		if !dryRun && o.AcknowledgeStaleLaw && s.lawData(period).Stale {
			ackBy = &by
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO settlement_runs (tenant_id, id, period, dry_run, status, sepa_version, started_by, started_at,
			                             stale_law_acknowledged_by)
			VALUES (current_tenant(), $1, $2, $3, 'planning', $4, $5, $6, $7)`,
			id, period.First(), dryRun, string(st.SEPAVersion), by, s.cfg.Now(), ackBy)
		if err != nil {
			return fmt.Errorf("insert run: %w", err)
		}
		if err := jobs.InsertTx(ctx, s.cfg.Jobs, tx, PlanArgs{TenantArgs: jobs.TenantArgs{Tenant: t}, RunID: id}, uniqueOpts()); err != nil {
			return err
		}
		run, err = getRun(ctx, tx, id, false)
		created = true
		return err
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.ConstraintName == "settlement_runs_one_per_period" {
		// A concurrent start won: its run is the period's run.
		return s.StartWith(ctx, t, period, o)
	}
	if err != nil {
		return Run{}, false, fmt.Errorf("settlement: start %s: %w", period, err)
	}
	if created {
		s.cfg.Metrics.started(t, dryRun)
	}
	return run, created, nil
}

// Get returns a run of t.
func (s *Service) Get(ctx context.Context, t tenant.ID, id string) (Run, error) {
	var r Run
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if r, err = getRun(ctx, tx, id, false); err != nil {
			return err
		}
		// River's table has no row-level security: the tenant is matched in the args.
		return tx.QueryRow(ctx, `
			SELECT coalesce(sum(coalesce(array_length(errors, 1), 0)), 0)::int,
			       coalesce((array_agg(errors[array_length(errors, 1)] ->> 'error' ORDER BY attempted_at DESC)
			                 FILTER (WHERE errors IS NOT NULL))[1], '')
			FROM river.river_job
			WHERE kind LIKE 'settlement.%' AND args ->> 'tenant' = $1 AND args ->> 'run_id' = $2`,
			string(t), id).Scan(&r.JobErrors, &r.LastJobError)
	})
	if err != nil {
		return Run{}, fmt.Errorf("settlement: run %s: %w", id, err)
	}
	return r, nil
}

// Current returns the run of period that pays or paid it (not a dry-run, not failed or
// cancelled), if any.
func (s *Service) Current(ctx context.Context, t tenant.ID, period bijstand.Period) (Run, bool, error) {
	var r Run
	var ok bool
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r, ok, err = currentRun(ctx, tx, period)
		return err
	})
	if err != nil {
		return Run{}, false, fmt.Errorf("settlement: current run of %s: %w", period, err)
	}
	return r, ok, nil
}

// List returns t's runs, newest first, at most limit (1–500).
func (s *Service) List(ctx context.Context, t tenant.ID, limit int) ([]Run, error) {
	var out []Run
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, selectRun+` WHERE tenant_id = current_tenant() ORDER BY started_at DESC, id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Run, error) { return scanRun(r) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settlement: list runs: %w", err)
	}
	if out == nil {
		out = []Run{}
	}
	return out, nil
}

// Approve approves a computed run for payment: by must not be who started it (four
// eyes, held by the database too). The status change and the posting job commit
// together.
func (s *Service) Approve(ctx context.Context, t tenant.ID, id, by string) (Run, error) {
	if by == "" {
		return Run{}, errors.New("settlement: approve: who approves is required")
	}
	if _, err := s.settings(t); err != nil {
		return Run{}, err
	}
	r, err := s.changeRun(ctx, t, id, func(ctx context.Context, tx pgx.Tx, r Run) error {
		switch {
		case r.DryRun:
			return ErrDryRunNotApproved
		case r.Status != StatusAwaitingApproval:
			return fmt.Errorf("%w: run is %s, approval needs %s", ErrWrongState, r.Status, StatusAwaitingApproval)
		case r.StartedBy == by:
			return fmt.Errorf("%w (%s started it)", ErrFourEyes, by)
		}
		if r.StaleLawAcknowledgedBy == "" {
			// A run started before the law data went stale, or before the check
			// existed: it is cancelled and started again with the acknowledgement.
			if err := s.checkStaleLaw(r.Period, false); err != nil {
				return fmt.Errorf("%w; this run was started without it: cancel it and start it again", err)
			}
		}
		if _, err := tx.Exec(ctx, `
			UPDATE settlement_runs SET status = 'posting', approved_by = $2, approved_at = $3
			WHERE tenant_id = current_tenant() AND id = $1`, id, by, s.cfg.Now()); err != nil {
			return err
		}
		return jobs.InsertTx(ctx, s.cfg.Jobs, tx, PostArgs{TenantArgs: jobs.TenantArgs{Tenant: t}, RunID: id}, uniqueOpts())
	})
	if err != nil {
		return Run{}, fmt.Errorf("settlement: approve run %s: %w", id, err)
	}
	return r, nil
}

// Cancel ends a run that has not been approved: nothing was posted or paid, and the
// period can be run again (after new payslips came in, say).
func (s *Service) Cancel(ctx context.Context, t tenant.ID, id, by, reason string) (Run, error) {
	r, err := s.changeRun(ctx, t, id, func(ctx context.Context, tx pgx.Tx, r Run) error {
		switch r.Status {
		case StatusPlanning, StatusComputing, StatusClosing, StatusAwaitingApproval:
		default:
			return fmt.Errorf("%w: a run that is %s cannot be cancelled", ErrWrongState, r.Status)
		}
		msg := "cancelled by " + by
		if reason != "" {
			msg += ": " + reason
		}
		_, err := tx.Exec(ctx, `
			UPDATE settlement_runs SET status = 'cancelled', finished_at = $2, error = $3
			WHERE tenant_id = current_tenant() AND id = $1`, id, s.cfg.Now(), msg)
		return err
	})
	if err != nil {
		return Run{}, fmt.Errorf("settlement: cancel run %s: %w", id, err)
	}
	s.cfg.Metrics.ended(r)
	return r, nil
}

// changeRun locks run id of t, lets change check and alter it in the same transaction,
// and returns the run as change left it. The lock keeps a concurrent Approve and Cancel
// (or a worker step) from both acting on the status they read.
func (s *Service) changeRun(ctx context.Context, t tenant.ID, id string, change func(context.Context, pgx.Tx, Run) error) (Run, error) {
	var r Run
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		locked, err := getRun(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := change(ctx, tx, locked); err != nil {
			return err
		}
		r, err = getRun(ctx, tx, id, false)
		return err
	})
	return r, err
}

// File is a file a final run wrote.
type File struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
	// Content is only set by Files with content true.
	Content []byte `json:"-"`
}

// Files returns the files of a final run, in name order; with content, their bytes.
func (s *Service) Files(ctx context.Context, t tenant.ID, id string, content bool) ([]File, error) {
	out := []File{} // none, not null, in the answer for a run that is not final
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := getRun(ctx, tx, id, false); err != nil {
			return err
		}
		col := "NULL::bytea"
		if content {
			col = "content"
		}
		rows, err := tx.Query(ctx, `
			SELECT name, kind, octet_length(content), encode(sha256, 'hex'), `+col+`
			FROM settlement_files WHERE tenant_id = current_tenant() AND run_id = $1 ORDER BY name`, id)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (File, error) {
			var f File
			return f, r.Scan(&f.Name, &f.Kind, &f.Size, &f.SHA256, &f.Content)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settlement: files of run %s: %w", id, err)
	}
	return out, nil
}

const selectRun = `
	SELECT id, tenant_id, period, dry_run, status, sepa_version, started_by, started_at, batches_total, batches_done,
	       residents_total, residents_done, computed_at, coalesce(approved_by, ''), approved_at, posted_at,
	       execution_date, finished_at, coalesce(error, ''), report, coalesce(stale_law_acknowledged_by, '')
	FROM settlement_runs`

func scanRun(row pgx.Row) (Run, error) {
	var r Run
	var period time.Time
	var status, version, tid string
	var report []byte
	err := row.Scan(&r.ID, &tid, &period, &r.DryRun, &status, &version, &r.StartedBy, &r.StartedAt, &r.BatchesTotal,
		&r.BatchesDone, &r.ResidentsTotal, &r.ResidentsDone, &r.ComputedAt, &r.ApprovedBy, &r.ApprovedAt, &r.PostedAt,
		&r.ExecutionDate, &r.FinishedAt, &r.Error, &report, &r.StaleLawAcknowledgedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return Run{}, ErrNotFound
	}
	if err != nil {
		return Run{}, fmt.Errorf("read run: %w", err)
	}
	r.Tenant, r.Period, r.Status, r.SEPAVersion = tenant.ID(tid), bijstand.PeriodOf(period), Status(status), sepa.Version(version)
	if report != nil {
		r.Report = &Report{}
		if err := json.Unmarshal(report, r.Report); err != nil {
			return Run{}, fmt.Errorf("read run report: %w", err)
		}
		if r.Report.Uncomputed == nil {
			r.Report.Uncomputed = []UncomputedResident{} // a report stored before the list was
		}
	}
	return r, nil
}

func getRun(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (Run, error) {
	if !validID(id) {
		return Run{}, ErrNotFound
	}
	q := selectRun + ` WHERE tenant_id = current_tenant() AND id = $1`
	if forUpdate {
		q += " FOR UPDATE"
	}
	return scanRun(tx.QueryRow(ctx, q, id))
}

func currentRun(ctx context.Context, tx pgx.Tx, period bijstand.Period) (Run, bool, error) {
	r, err := scanRun(tx.QueryRow(ctx, selectRun+`
		WHERE tenant_id = current_tenant() AND period = $1 AND NOT dry_run AND status NOT IN ('failed', 'cancelled')`,
		period.First()))
	if errors.Is(err, ErrNotFound) {
		return Run{}, false, nil
	}
	return r, err == nil, err
}

// uniqueOpts makes a run's job unique by its args (kind, tenant, run, batch) in every
// state: a retried insert (a step done twice) finds the job instead of adding one.
func uniqueOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: jobs.QueueSettlement, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func newID() (string, error) { return uuid.New(), nil }

// validID is uuid.Valid: an id of another form is not found without a query.
var validID = uuid.Valid

// Change is how a resident's month differs from the last final run's.
type Change string

// The changes of Diff.
const (
	ChangeNew       Change = "new"       // not in the last final run
	ChangeGone      Change = "gone"      // in the last final run, not in this one
	ChangeChanged   Change = "changed"   // an amount, the account or a hold differs
	ChangeUnchanged Change = "unchanged" // the same
)

// Amounts are a resident's amounts in one run.
type Amounts struct {
	BijstandCents     money.Cents `json:"bijstand_cents"`
	ReserveCents      money.Cents `json:"vakantietoeslag_reserve_cents"`
	AppliedCents      money.Cents `json:"deductions_applied_cents"`
	PayoutCents       money.Cents `json:"payout_cents"`
	ShortfallCents    money.Cents `json:"shortfall_cents"`
	VakantiegeldCents money.Cents `json:"vakantietoeslag_paid_cents"`
	// ReleasedCents is what the run pays of payouts held in earlier runs.
	ReleasedCents money.Cents `json:"released_cents"`
	Held          bool        `json:"held"`
	Hold          string      `json:"hold,omitempty"`
	// Uncomputed is why the month could not be computed, if it could not (the amounts
	// are then zero, and nothing was paid or booked).
	Uncomputed string `json:"uncomputed,omitempty"`
}

// DiffLine is one resident in a run's comparison with the last final run.
type DiffLine struct {
	ResidentID string   `json:"resident_id"`
	Name       string   `json:"name"`
	Change     Change   `json:"change"`
	Previous   *Amounts `json:"previous,omitempty"`
	Current    *Amounts `json:"current,omitempty"`
	// PayoutDeltaCents is the current payout minus the previous one.
	PayoutDeltaCents money.Cents `json:"payout_delta_cents"`
}

// Diff is a run compared per resident with the last final run of an earlier period.
type Diff struct {
	RunID string `json:"run_id"`
	// PreviousRunID and PreviousPeriod are empty when there is no earlier final run.
	PreviousRunID  string         `json:"previous_run_id,omitempty"`
	PreviousPeriod string         `json:"previous_period,omitempty"`
	Counts         map[Change]int `json:"counts"`
	// Lines are in resident id order, after After, at most the limit asked for.
	Lines []DiffLine `json:"lines"`
	// Next is the After of the next page, or empty.
	Next string `json:"next,omitempty"`
}

// DiffOptions select the lines of a Diff.
type DiffOptions struct {
	// Changes limits the lines to these changes; empty means all but unchanged.
	Changes []Change
	After   string
	Limit   int // 1–1000; 0 means 100
}

// Diff compares the computed run id with the last final run of an earlier period, per
// resident: what a second person looks at before approving.
func (s *Service) Diff(ctx context.Context, t tenant.ID, id string, o DiffOptions) (Diff, error) {
	if o.Limit <= 0 {
		o.Limit = 100
	}
	if len(o.Changes) == 0 {
		o.Changes = []Change{ChangeNew, ChangeGone, ChangeChanged}
	}
	changes := make([]string, len(o.Changes))
	for i, c := range o.Changes {
		changes[i] = string(c)
	}
	d := Diff{RunID: id, Counts: map[Change]int{ChangeNew: 0, ChangeGone: 0, ChangeChanged: 0, ChangeUnchanged: 0}, Lines: []DiffLine{}}
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		r, err := getRun(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if r.ComputedAt == nil {
			return fmt.Errorf("%w: the run is %s, not computed yet", ErrWrongState, r.Status)
		}
		prev, err := previousFinal(ctx, tx, r.Period, &d)
		if err != nil {
			return err
		}
		if err := diffCounts(ctx, tx, id, prev, d.Counts); err != nil {
			return err
		}
		return diffLines(ctx, tx, id, prev, changes, o, &d)
	})
	if err != nil {
		return Diff{}, fmt.Errorf("settlement: diff of run %s: %w", id, err)
	}
	return d, nil
}

// diffJoined joins the items of a run ($1) and of the previous final run ($2) per
// resident, with the change of each.
const diffJoined = `
		WITH cur AS (SELECT * FROM settlement_items WHERE tenant_id = current_tenant() AND run_id = $1),
		     prev AS (SELECT * FROM settlement_items WHERE tenant_id = current_tenant() AND run_id = $2),
		     j AS (
		SELECT coalesce(c.resident_id, p.resident_id) AS resident_id, coalesce(c.name, p.name) AS name,
		       CASE WHEN p.resident_id IS NULL THEN 'new' WHEN c.resident_id IS NULL THEN 'gone'
		            WHEN (c.bijstand_cents, c.reserve_cents, c.applied_cents, c.payout_cents, c.shortfall_cents,
		                  c.vakantietoeslag_cents, c.released_cents, c.iban, coalesce(c.hold, ''), coalesce(c.uncomputed, ''))
		               = (p.bijstand_cents, p.reserve_cents, p.applied_cents, p.payout_cents, p.shortfall_cents,
		                  p.vakantietoeslag_cents, p.released_cents, p.iban, coalesce(p.hold, ''), coalesce(p.uncomputed, ''))
		            THEN 'unchanged' ELSE 'changed' END AS change,
		       c.bijstand_cents AS cb, c.reserve_cents AS cr, c.applied_cents AS ca, c.payout_cents AS cp,
		       c.shortfall_cents AS cs, c.vakantietoeslag_cents AS cv, c.released_cents AS cx, c.hold AS ch, c.uncomputed AS cu,
		       p.bijstand_cents AS pb, p.reserve_cents AS pr, p.applied_cents AS pa, p.payout_cents AS pp,
		       p.shortfall_cents AS ps, p.vakantietoeslag_cents AS pv, p.released_cents AS px, p.hold AS ph, p.uncomputed AS pu
		FROM cur c FULL JOIN prev p ON p.resident_id = c.resident_id)`

// previousFinal returns the id of the last final run of a period before period, or
// "" when there is none, and names it in d.
func previousFinal(ctx context.Context, tx pgx.Tx, period bijstand.Period, d *Diff) (string, error) {
	var prev string
	var prevPeriod time.Time
	err := tx.QueryRow(ctx, `
		SELECT id, period FROM settlement_runs
		WHERE tenant_id = current_tenant() AND status = 'final' AND period < $1
		ORDER BY period DESC LIMIT 1`, period.First()).Scan(&prev, &prevPeriod)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	if prev != "" {
		d.PreviousRunID, d.PreviousPeriod = prev, bijstand.PeriodOf(prevPeriod).String()
	}
	return prev, nil
}

// diffCounts counts the residents of run id by change against run prev.
func diffCounts(ctx context.Context, tx pgx.Tx, id, prev string, counts map[Change]int) error {
	rows, err := tx.Query(ctx, diffJoined+` SELECT change, count(*) FROM j GROUP BY change`, id, prev)
	if err != nil {
		return err
	}
	var c string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&c, &n}, func() error {
		counts[Change(c)] = n
		return nil
	})
	return err
}

// diffLines reads the page of lines o asks for into d, with the After of the next page.
func diffLines(ctx context.Context, tx pgx.Tx, id, prev string, changes []string, o DiffOptions, d *Diff) error {
	rows, err := tx.Query(ctx, diffJoined+`
		SELECT resident_id, name, change, cb, cr, ca, cp, cs, cv, cx, ch, cu, pb, pr, pa, pp, ps, pv, px, ph, pu FROM j
		WHERE change = ANY($3) AND resident_id > $4 ORDER BY resident_id LIMIT $5`,
		id, prev, changes, o.After, o.Limit+1)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var l DiffLine
		var c [7]*int64
		var p [7]*int64
		var ch, ph, cu, pu *string
		var change string
		if err := rows.Scan(&l.ResidentID, &l.Name, &change, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &ch, &cu,
			&p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6], &ph, &pu); err != nil {
			return err
		}
		l.Change = Change(change)
		l.Current, l.Previous = amounts(c, ch, cu), amounts(p, ph, pu)
		if l.Current != nil {
			l.PayoutDeltaCents += l.Current.PayoutCents
		}
		if l.Previous != nil {
			l.PayoutDeltaCents -= l.Previous.PayoutCents
		}
		if len(d.Lines) == o.Limit {
			d.Next = d.Lines[len(d.Lines)-1].ResidentID
			break
		}
		d.Lines = append(d.Lines, l)
	}
	return rows.Err()
}

func amounts(v [7]*int64, hold, uncomputed *string) *Amounts {
	if v[0] == nil {
		return nil
	}
	a := &Amounts{BijstandCents: money.Cents(*v[0]), ReserveCents: money.Cents(*v[1]), AppliedCents: money.Cents(*v[2]),
		PayoutCents: money.Cents(*v[3]), ShortfallCents: money.Cents(*v[4]), VakantiegeldCents: money.Cents(*v[5]),
		ReleasedCents: money.Cents(*v[6])}
	if hold != nil {
		a.Held, a.Hold = true, *hold
	}
	if uncomputed != nil {
		a.Uncomputed = *uncomputed
	}
	return a
}

// ComputeError is a month the engine could not compute because of the law data, not
// the resident's (no parameters in force for the period, a value not published): every
// resident of that kind would be refused, so the run fails with it, naming the first
// resident, rather than send a run that pays almost no one to approval.
type ComputeError struct {
	ResidentID string
	Err        error
}

func (e *ComputeError) Error() string { return "resident " + e.ResidentID + ": " + e.Err.Error() }

// Unwrap returns the engine's error.
func (e *ComputeError) Unwrap() error { return e.Err }

// TenantRuns is one gemeente's line in the operators' overview.
type TenantRuns struct {
	Tenant       tenant.ID `json:"tenant"`
	TenantStatus string    `json:"tenant_status"`
	// Latest is the newest run (of any kind), if any.
	Latest     *Run `json:"latest_run,omitempty"`
	Runs       int  `json:"runs"`
	Final      int  `json:"final"`
	Failed     int  `json:"failed"`
	InProgress int  `json:"in_progress"`
	// AwaitingApproval counts runs computed and waiting for the second person.
	AwaitingApproval int `json:"awaiting_approval"`
}

// Overview is the coöperatie operators' view across gemeenten: per tenant its status,
// its newest run and counts of its runs. Each tenant is read in its own transaction with
// its own tenant set: the overview crosses tenants only by asking each in turn.
func (s *Service) Overview(ctx context.Context) ([]TenantRuns, error) {
	out := []TenantRuns{}
	for _, t := range s.cfg.Tenants.All() {
		line := TenantRuns{Tenant: t}
		if st, ok := s.cfg.Tenants.Settings(t); ok {
			line.TenantStatus = st.Status
		}
		err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
			err := tx.QueryRow(ctx, `
				SELECT count(*), count(*) FILTER (WHERE status = 'final'), count(*) FILTER (WHERE status = 'failed'),
				       count(*) FILTER (WHERE status IN ('planning', 'computing', 'closing', 'posting')),
				       count(*) FILTER (WHERE status = 'awaiting_approval')
				FROM settlement_runs WHERE tenant_id = current_tenant()`).
				Scan(&line.Runs, &line.Final, &line.Failed, &line.InProgress, &line.AwaitingApproval)
			if err != nil || line.Runs == 0 {
				return err
			}
			r, err := scanRun(tx.QueryRow(ctx, selectRun+` WHERE tenant_id = current_tenant() ORDER BY started_at DESC, id LIMIT 1`))
			line.Latest = &r
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("settlement: overview: tenant %s: %w", t, err)
		}
		out = append(out, line)
	}
	return out, nil
}
