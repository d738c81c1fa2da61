package income

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/plein-nl/plein/platform/uuid"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income/internal/store"
)

// Households gives the engine input of a resident's case with the vrijlating counters
// in force at the start of a month (services/residents' Lookup, which wraps ErrNotFound
// for an unknown resident): a month computed again later uses its own counters
// (docs/domain.md §2).
type Households interface {
	HouseholdAsOf(ctx context.Context, t tenant.ID, id string, period bijstand.Period) (bijstand.Household, error)
}

// ResidentMatcher finds the case a BSN belongs to, for an employer's payslip
// (services/residents' Lookup). It reads no case data and is
// not audited: a match is acted on only with the resident's consent, and the payslip
// it leads to is audited with the employer as actor.
type ResidentMatcher interface {
	// MatchBSN returns the case a BSN belongs to and whether it is the resident's
	// (applicant 0) or the partner's (applicant 1); ErrNotFound when none.
	MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (residentID string, applicant int, err error)
}

// Deductions gives the deductions in force for a resident in a period: the payment
// plans (services/paymentplans' NamedDeductions).
type Deductions interface {
	Active(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error)
}

// Settings are a tenant's settings that a month depends on.
type Settings struct {
	// MinCashPayout is the leefgeld floor of on_behalf deductions.
	MinCashPayout money.Cents
	// PayDay is the day of the month the bijstand is paid (earlier when it is a
	// Saturday or Sunday).
	PayDay int
	// ConfigVersion is the version of the gemeente's configuration these settings come
	// from, for the receipt of a settled month (0: not known).
	ConfigVersion int
}

// Config wires the service.
type Config struct {
	App        *pgxpool.Pool
	Households Households
	Finder     ResidentMatcher
	Calculator *bijstand.Calculator
	// Deductions is optional: without it a month has no deductions. A month is only
	// read: what it cannot pay is recorded by the settlement run that pays it.
	Deductions Deductions
	// Settings returns the tenant's settings; nil means defaults (no leefgeld floor,
	// paid on the 25th).
	Settings func(t tenant.ID) Settings
	Now      func() time.Time
	// Refusals, when set, is told of every employer payslip refused for want of
	// consent (an unknown BSN included): the metric an alert watches for probing.
	Refusals func(t tenant.ID)
}

type service struct{ cfg Config }

// NewService returns the income service.
func NewService(cfg Config) *IncomeService {
	if cfg.Settings == nil {
		cfg.Settings = func(tenant.ID) Settings { return Settings{PayDay: 25} }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &IncomeService{service{cfg: cfg}}
}

// IncomeService is the income service.
type IncomeService struct{ service }

func (s *service) in(ctx context.Context, t tenant.ID, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if !t.Valid() {
		return fmt.Errorf("income: %w", tenant.ErrInvalidID)
	}
	return db.InTenant(tenant.WithID(ctx, t), s.cfg.App, fn)
}

func newID() string { return uuid.New() }

// validate checks a payslip and lists every problem, in English and Dutch.
func (s *service) validate(p NewPayslip, applicants int) error {
	v := invalid()
	add := func(field, en, nl string) {
		v.Fields = append(v.Fields, httpapi.FieldError{Field: field, EN: en, NL: nl})
	}
	if p.Applicant < 0 || p.Applicant >= applicants {
		add("applicant", "there is no such applicant in this case", "Deze persoon hoort niet bij uw uitkering.")
	}
	// The transports clean the name as it enters (input.Text: NFC, trimmed); here any
	// caller's name is refused when it is not fit to store and show.
	const maxEmployer = 200
	switch name, pr := input.Text(p.Employer, maxEmployer); pr.Kind {
	case input.OK:
		if strings.HasPrefix(employerKey(name), partnerKeyPrefix) {
			// The key of an employer partner's payslips: a typed name may not pose as one.
			add("employer", "the employer's name may not start with \""+partnerKeyPrefix+"\"",
				"De naam van de werkgever mag niet beginnen met \""+partnerKeyPrefix+"\".")
		}
	case input.Missing:
		add("employer", "the employer's name is required", "Vul de naam van uw werkgever in.")
	default:
		add("employer", "the employer's name "+pr.EN(), pr.NL())
	}
	today := s.cfg.Now().UTC().Truncate(24 * time.Hour)
	earliest := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.PeriodStart.IsZero() || p.PeriodStart.Before(earliest) {
		add("period_start", "the first day of the pay period is required", "Vul de eerste dag van de loonperiode in.")
	}
	if p.PeriodEnd.IsZero() || p.PeriodEnd.Before(p.PeriodStart) {
		add("period_end", "the last day of the pay period is required and not before the first", "Vul de laatste dag van de loonperiode in. Die ligt niet voor de eerste dag.")
	} else if !p.PeriodStart.IsZero() && p.PeriodEnd.Sub(p.PeriodStart) > 35*24*time.Hour {
		add("period_end", "a pay period is at most a month (35 days)", "Een loonperiode is hoogstens een maand.")
	}
	switch {
	case p.PayDate.IsZero() || p.PayDate.Before(earliest):
		add("pay_date", "the day the wage was paid is required", "Vul de datum in waarop het loon is betaald.")
	case p.PayDate.After(today.AddDate(0, 0, 31)):
		add("pay_date", "the pay date is more than a month in the future", "De betaaldatum ligt meer dan een maand in de toekomst.")
	case !p.PeriodEnd.IsZero() && (p.PayDate.Before(p.PeriodStart.AddDate(0, -1, 0)) || p.PayDate.After(p.PeriodEnd.AddDate(0, 3, 0))):
		add("pay_date", "the pay date is far from the pay period", "De betaaldatum past niet bij de loonperiode.")
	}
	const maxAmount = 10000000 // € 100.000,00
	if p.Gross < 0 || p.Gross > maxAmount {
		add("gross_cents", "the gross wage must be between 0 and 100,000.00", "Vul een brutoloon in tussen € 0 en € 100.000.")
	}
	if p.Net < 0 || p.Net > maxAmount {
		add("net_cents", "the net wage must be between 0 and 100,000.00", "Vul een nettoloon in tussen € 0 en € 100.000.")
	} else if p.Net > p.Gross {
		add("net_cents", "the net wage cannot be more than the gross wage", "Het nettoloon kan niet hoger zijn dan het brutoloon.")
	}
	if p.HoursCenti < 0 || p.HoursCenti > 74400 {
		add("hours", "hours must be between 0 and 744", "Vul het aantal uren in (0 tot 744).")
	}
	if len(p.PDF) > 0 {
		if len(p.PDF) > 5<<20 {
			add("pdf", ErrPDFTooBig.Error(), "Het bestand is groter dan 5 MB.")
		} else if !strings.HasPrefix(string(p.PDF[:min(len(p.PDF), 5)]), "%PDF-") {
			add("pdf", ErrNotAPDF.Error(), "Het bestand is geen PDF.")
		}
	}
	if len(v.Fields) > 0 {
		return v
	}
	return nil
}

// partnerKeyPrefix starts the employer key of an employer partner's payslips; the key
// of a typed employer name never does (validate refuses such a name).
const partnerKeyPrefix = "partner:"

func employerKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}

func (s *service) SubmitPayslip(ctx context.Context, t tenant.ID, residentID string, p NewPayslip, src Source) (Payslip, error) {
	return s.submit(ctx, t, residentID, "", p, src)
}

func (s *service) submit(ctx context.Context, t tenant.ID, residentID, employerID string, p NewPayslip, src Source) (Payslip, error) {
	// Only the applicants count here, not the month's counters.
	h, err := s.cfg.Households.HouseholdAsOf(ctx, t, residentID, bijstand.PeriodOf(s.cfg.Now()))
	if err != nil {
		return Payslip{}, fmt.Errorf("income: %w", err)
	}
	if err := s.validate(p, len(h.Applicants)); err != nil {
		return Payslip{}, err
	}
	key := employerKey(p.Employer)
	if employerID != "" {
		key = partnerKeyPrefix + employerID
	}
	out := Payslip{ID: newID(), ResidentID: residentID, Applicant: p.Applicant, Employer: strings.TrimSpace(p.Employer), EmployerID: employerID,
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd, Gross: p.Gross, Net: p.Net, HoursCenti: p.HoursCenti, PayDate: p.PayDate,
		Source: src, HasPDF: len(p.PDF) > 0, Actor: p.Actor}
	if strings.TrimSpace(p.Actor) == "" {
		// A caller bug, not a client's: every payslip is stored with who handed it in.
		return Payslip{}, fmt.Errorf("income: submit payslip: %w: no actor", ErrInvalid)
	}
	// Concurrent submits of the same payslip (a double click, an employer's retry)
	// queue on this lock, so that each sees the one before it as the payslip it
	// corrects. Row locks alone do not do it: a waiter on FOR UPDATE skips the row its
	// predecessor just superseded, finds nothing, and its insert then breaks the
	// payslips_current index. A hash collision only serialises two submits needlessly.
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		if err := lockPayslip(ctx, tx, t, residentID, p.Applicant, key, p.PeriodStart, p.PeriodEnd); err != nil {
			return err
		}
		// A payslip for the same applicant, employer and period is a correction of the
		// one that counts now.
		v := store.Version{ResidentID: residentID, Applicant: p.Applicant, EmployerKey: key, Start: p.PeriodStart, End: p.PeriodEnd}
		prev, prevSrc, prevReview, found, err := store.Counted(ctx, tx, v)
		switch {
		case err != nil:
			return err
		case found:
			out.Supersedes = prev
			if needsReview(src, Source(prevSrc), Review(prevReview)) {
				// Never a silent replacement of what a consulent recorded, confirmed or
				// an employer sent: the correction waits for a consulent; an older
				// proposal gives way.
				out.Review = ReviewPending
				if err := store.SupersedePending(ctx, tx, v, out.ID); err != nil {
					return err
				}
			} else if err := store.Supersede(ctx, tx, prev, out.ID); err != nil {
				return err
			}
		}
		if out.CreatedAt, err = store.Insert(ctx, tx, toDBPayslip(out), key, p.PDF, p.PDFName); err != nil {
			return err
		}
		return auditPayslip(ctx, tx, out, submitAction(out), "")
	})
	if err != nil {
		return Payslip{}, fmt.Errorf("income: submit payslip: %w", err)
	}
	return out, nil
}

// lockPayslip takes, for the rest of tx, the lock of one payslip's versions: the
// payslips of an applicant for one employer and pay period. Submissions and reviews
// queue on it, so each sees the one before it.
func lockPayslip(ctx context.Context, tx pgx.Tx, t tenant.ID, residentID string, applicant int, key string, start, end time.Time) error {
	return store.Lock(ctx, tx, strings.Join([]string{"income.payslip", string(t), residentID, strconv.Itoa(applicant), key,
		start.Format(time.DateOnly), end.Format(time.DateOnly)}, "|"))
}

// needsReview reports whether a payslip from src that corrects one from prevSrc (with
// its review) must wait for a consulent. A consulent's correction never waits; anyone
// else's waits when what it replaces is not her own unconfirmed word: a consulent's
// payslip, one a consulent confirmed, or another source's (an employer's).
func needsReview(src, prevSrc Source, prevReview Review) bool {
	if src == SourceConsulent {
		return false
	}
	return prevSrc != src || prevSrc == SourceConsulent || prevReview == ReviewConfirmed
}

// submitAction names a submission in the audit trail.
func submitAction(p Payslip) string {
	switch {
	case p.Review == ReviewPending:
		return "payslip.correction.propose"
	case p.Supersedes != "":
		return "payslip.correct"
	}
	return "payslip.submit"
}

// auditPayslip records an act on a payslip with its actor, in the transaction of the
// act: without the record, nothing is stored.
func auditPayslip(ctx context.Context, tx pgx.Tx, p Payslip, action, reason string) error {
	actor, role := p.Actor, string(p.Source)
	if action == "payslip.correction.confirm" || action == "payslip.correction.decline" {
		role = string(SourceConsulent)
		actor = p.reviewer
	}
	purpose := "loonstrook " + map[Source]string{SourceResident: "doorgegeven door de inwoner",
		SourceEmployer: "ontvangen van de werkgever", SourceConsulent: "ingevoerd door de consulent"}[p.Source]
	if reason != "" {
		purpose = reason
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: actor, Role: role, Action: action, ObjectType: "payslip",
		ObjectID: p.ResidentID + "/" + p.ID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
}

// ReviewPayslip confirms or declines a pending correction.
func (s *service) ReviewPayslip(ctx context.Context, t tenant.ID, residentID, payslipID string, confirm bool, reason, by string) (Payslip, error) {
	reason, pr := input.Rules{Max: 500, MultiLine: true, Optional: true}.Clean(reason)
	switch {
	case !pr.OK():
		return Payslip{}, invalid(httpapi.FieldError{Field: "reason", EN: "the reason " + pr.EN(), NL: pr.NL()})
	case !confirm && utf8.RuneCountInString(reason) < 3:
		return Payslip{}, invalid(httpapi.FieldError{Field: "reason",
			EN: "a reason is required to decline a correction (3 to 500 characters)",
			NL: "Schrijf op waarom u deze wijziging afwijst (3 tot 500 tekens)."})
	}
	if by == "" {
		return Payslip{}, fmt.Errorf("income: review payslip: %w: no reviewer", ErrInvalid)
	}
	var out Payslip
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		// The lock submissions take first, then the row: in that order, a review and a
		// submission of the same payslip queue instead of deadlocking.
		v, err := store.VersionOf(ctx, tx, residentID, payslipID)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := lockPayslip(ctx, tx, t, residentID, v.Applicant, v.EmployerKey, v.Start, v.End); err != nil {
			return err
		}
		row, err := store.Locked(ctx, tx, residentID, payslipID)
		out = toDomainPayslip(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if out.Review != ReviewPending || out.superseded {
			return ErrNotPending
		}
		action := "payslip.correction.decline"
		out.Review = ReviewDeclined
		if confirm {
			action, out.Review = "payslip.correction.confirm", ReviewConfirmed
			// The payslip it corrects may itself have been corrected since by a
			// consulent: the confirmed one replaces whatever counts now.
			if err := store.SupersedeCounted(ctx, tx, out.ID, residentID, out.Applicant, out.PeriodStart, out.PeriodEnd); err != nil {
				return err
			}
		}
		if err := store.SetReview(ctx, tx, out.ID, string(out.Review), by, s.cfg.Now(), reason); err != nil {
			return err
		}
		out.reviewer = by
		return auditPayslip(ctx, tx, out, action, reason)
	})
	if err != nil {
		return Payslip{}, fmt.Errorf("income: review payslip: %w", err)
	}
	return out, nil
}

// AllPayslips lists every payslip paid in the period, superseded, pending and
// declined ones included, oldest first.
func (s *service) AllPayslips(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]Payslip, error) {
	var out []Payslip
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = toDomainPayslips(store.All(ctx, tx, residentID, period.First(), period.Next().First()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("income: all payslips: %w", err)
	}
	return out, nil
}

func (s *service) Payslips(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]Payslip, error) {
	var out []Payslip
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = payslipsIn(ctx, tx, residentID, period)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("income: payslips: %w", err)
	}
	return out, nil
}

// toDomainPayslip is the converter from a row.
func toDomainPayslip(r store.Payslip) Payslip {
	return Payslip{ID: r.ID, ResidentID: r.ResidentID, Applicant: r.Applicant, Employer: r.Employer, EmployerID: r.EmployerID,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Gross: money.Cents(r.Gross), Net: money.Cents(r.Net),
		HoursCenti: r.HoursCenti, PayDate: r.PayDate, Source: Source(r.Source), HasPDF: r.HasPDF, Supersedes: r.Supersedes,
		CreatedAt: r.CreatedAt, Actor: r.Actor, Review: Review(r.Review), superseded: r.Superseded}
}

// toDBPayslip is the converter to a row.
func toDBPayslip(p Payslip) store.Payslip {
	return store.Payslip{ID: p.ID, ResidentID: p.ResidentID, Applicant: p.Applicant, Employer: p.Employer, EmployerID: p.EmployerID,
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd, Gross: int64(p.Gross), Net: int64(p.Net), HoursCenti: p.HoursCenti,
		PayDate: p.PayDate, Source: string(p.Source), HasPDF: p.HasPDF, Supersedes: p.Supersedes, CreatedAt: p.CreatedAt,
		Actor: p.Actor, Review: string(p.Review), Superseded: p.superseded}
}

// convertAll converts rows with to, keeping nil (an error) apart from empty.
func convertAll[R, D any](rows []R, to func(R) D) []D {
	if rows == nil {
		return nil
	}
	out := make([]D, len(rows))
	for i, r := range rows {
		out[i] = to(r)
	}
	return out
}

// toDomainPayslips converts rows, keeping nil (an error) apart from empty.
func toDomainPayslips(rows []store.Payslip, err error) ([]Payslip, error) {
	if err != nil {
		return nil, err
	}
	return convertAll(rows, toDomainPayslip), nil
}

// payslipsIn reads the resident's payslips that count in period.
func payslipsIn(ctx context.Context, tx pgx.Tx, residentID string, period bijstand.Period) ([]Payslip, error) {
	return toDomainPayslips(store.Counting(ctx, tx, residentID, period.First(), period.Next().First()))
}

func (s *service) Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (Month, error) {
	return s.month(ctx, t, residentID, period, nil, "month")
}

// month computes the resident's month from what Plein holds as of period (the
// household with that month's vrijlating counters, the payslips that count in it, the
// deductions in force), with w added for a what-if; op names the caller in errors.
func (s *service) month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, w *WhatIf, op string) (Month, error) {
	h, err := s.cfg.Households.HouseholdAsOf(ctx, t, residentID, period)
	if err != nil {
		return Month{}, fmt.Errorf("income: %s: %w", op, err)
	}
	slips, err := s.Payslips(ctx, t, residentID, period)
	if err != nil {
		return Month{}, err
	}
	deds, err := s.deductions(ctx, t, residentID, period)
	if err != nil {
		return Month{}, err
	}
	return s.compute(t, period, h, slips, deds, w)
}

func (s *service) deductions(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) ([]bijstand.Deduction, error) {
	if s.cfg.Deductions == nil {
		return nil, nil
	}
	d, err := s.cfg.Deductions.Active(ctx, t, residentID, period)
	if err != nil {
		return nil, fmt.Errorf("income: deductions: %w", err)
	}
	return d, nil
}

// compute runs the engine; with w set, the resident's (applicant 0) work income is
// replaced by the planned job.
func (s *service) compute(t tenant.ID, period bijstand.Period, h bijstand.Household, slips []Payslip, deds []bijstand.Deduction, w *WhatIf) (Month, error) {
	set := s.cfg.Settings(t)
	c := bijstand.Case{Period: period, Household: h, Deductions: deds, MinCashPayout: set.MinCashPayout}
	for _, p := range slips {
		if w != nil && p.Applicant == 0 {
			continue
		}
		c.Income = append(c.Income, bijstand.Income{Applicant: p.Applicant, Source: bijstand.SourceWork, Net: p.Net})
	}
	if w != nil {
		c.Income = append(c.Income, bijstand.Income{Applicant: 0, Source: bijstand.SourceWork, Net: w.MonthlyNet()})
	}
	r, p, err := s.cfg.Calculator.Month(c)
	m := Month{Period: period, Case: c, ConfigVersion: set.ConfigVersion}
	if p != nil {
		m.LawFile = p.File
	}
	if err != nil {
		// The case comes back with the error: a settlement keeps what it refused.
		return m, fmt.Errorf("income: month: %w", err)
	}
	m.Result, m.Payslips, m.PayDate = r, slips, period.PayDate(set.PayDay)
	return m, nil
}

// MonthlyGross is the planned gross wage per month: hours a week × wage × 13 weeks
// / 3 months, rounded half up to the cent.
func (w WhatIf) MonthlyGross() money.Cents {
	return money.MulDivHalfUp(w.HourlyWage, w.HoursPerWeekCenti*13, 300)
}

// MonthlyNet is the net the preview counts: the net the resident gave, else the gross
// estimate (at these wages the loonheffing is about nil after the heffingskortingen;
// the portal says it is an estimate).
func (w WhatIf) MonthlyNet() money.Cents {
	if w.Net > 0 {
		return w.Net
	}
	return w.MonthlyGross()
}

func (s *service) WhatIf(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, w WhatIf) (Month, error) {
	v := invalid()
	if w.HoursPerWeekCenti <= 0 || w.HoursPerWeekCenti > 6000 {
		v.Fields = append(v.Fields, httpapi.FieldError{Field: "hours", EN: "hours a week must be more than 0 and at most 60", NL: "Vul het aantal uren per week in (meer dan 0, hoogstens 60)."})
	}
	if w.HourlyWage <= 0 || w.HourlyWage > 20000 {
		v.Fields = append(v.Fields, httpapi.FieldError{Field: "wage", EN: "the gross hourly wage must be more than 0 and at most 200.00", NL: "Vul uw brutoloon per uur in (hoogstens € 200)."})
	}
	if w.Net < 0 || w.Net > 10000000 {
		v.Fields = append(v.Fields, httpapi.FieldError{Field: "net", EN: "the net wage must be between 0 and 100,000.00", NL: "Vul een nettoloon in tussen € 0 en € 100.000."})
	}
	if len(v.Fields) > 0 {
		return Month{}, v
	}
	return s.month(ctx, t, residentID, period, &w, "what if")
}

func (s *service) Employers(ctx context.Context, t tenant.ID) ([]Employer, error) {
	var out []Employer
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := store.Employers(ctx, tx)
		out = convertAll(rows, func(e store.Employer) Employer { return Employer(e) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("income: employers: %w", err)
	}
	return out, nil
}

func (s *service) Consents(ctx context.Context, t tenant.ID, residentID string) ([]Consent, error) {
	var out []Consent
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := store.Consents(ctx, tx, residentID)
		out = convertAll(rows, func(c store.Consent) Consent { return Consent(c) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("income: consents: %w", err)
	}
	return out, nil
}

func (s *service) consentAudit(ctx context.Context, tx pgx.Tx, action, residentID, employerID string) error {
	p := authz.PrincipalFrom(ctx)
	actor, role := p.Subject, "resident"
	if actor == "" {
		actor = "resident:" + residentID
	}
	return audit.Record(ctx, tx, audit.Entry{Actor: actor, Role: role, Action: action, ObjectType: "employer-consent",
		ObjectID: residentID + "/" + employerID, Purpose: "toestemming werkgever door de inwoner", RequestID: observe.RequestID(ctx)})
}

func (s *service) GrantConsent(ctx context.Context, t tenant.ID, residentID, employerID string) error {
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		exists, err := store.EmployerExists(ctx, tx, employerID)
		if err != nil {
			return err
		}
		if !exists {
			return ErrUnknownJob
		}
		granted, err := store.Grant(ctx, tx, residentID, employerID, s.cfg.Now())
		if err != nil || !granted {
			return err // nil when already granted
		}
		return s.consentAudit(ctx, tx, "employer-consent.grant", residentID, employerID)
	})
	if err != nil && !errors.Is(err, db.ErrUniqueViolation) {
		return fmt.Errorf("income: grant consent: %w", err)
	}
	return nil
}

func (s *service) RevokeConsent(ctx context.Context, t tenant.ID, residentID, employerID string) error {
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		revoked, err := store.Revoke(ctx, tx, residentID, employerID, s.cfg.Now())
		if err != nil || !revoked {
			return err
		}
		return s.consentAudit(ctx, tx, "employer-consent.revoke", residentID, employerID)
	})
	if err != nil {
		return fmt.Errorf("income: revoke consent: %w", err)
	}
	return nil
}

func (s *service) SubmitFromEmployer(ctx context.Context, t tenant.ID, employerID, bsnString string, p NewPayslip) (Payslip, error) {
	b, err := bsn.Parse(bsnString)
	if err != nil {
		// Malformed input is the client's mistake and says nothing about who is known.
		return Payslip{}, invalid(httpapi.FieldError{Field: "bsn",
			EN: "not a valid BSN (9 digits that pass the elfproef)", NL: "Dit is geen geldig burgerservicenummer."})
	}
	// Constant work: an unknown BSN, a known one without consent and one with consent
	// run the same two queries (the match, then the consent of whatever matched — ""
	// matches none) and write nothing until the consent is found, so neither the
	// answer, its timing nor the data tell an employer which BSNs the gemeente knows.
	residentID, applicant, err := s.cfg.Finder.MatchBSN(ctx, t, b)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Payslip{}, fmt.Errorf("income: employer payslip: %w", err)
	}
	var name string
	err = s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		name, err = store.ConsentedName(ctx, tx, residentID, employerID)
		return err
	})
	if errors.Is(err, ErrNoConsent) && s.cfg.Refusals != nil {
		s.cfg.Refusals(t)
	}
	if err != nil {
		return Payslip{}, fmt.Errorf("income: employer payslip: %w", err)
	}
	p.Employer = name
	p.Applicant = applicant
	p.Actor = "employer:" + employerID
	return s.submit(ctx, t, residentID, employerID, p, SourceEmployer)
}

// AuthenticateEmployer returns the employer whose API key this is, in tenant t.
func AuthenticateEmployer(ctx context.Context, app *pgxpool.Pool, t tenant.ID, key string) (string, error) {
	sum := sha256.Sum256([]byte(key))
	var id string
	err := db.InTenant(tenant.WithID(ctx, t), app, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		id, err = store.EmployerByKey(ctx, tx, sum[:])
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrUnknownJob
	}
	if err != nil {
		return "", fmt.Errorf("income: authenticate employer: %w", err)
	}
	return id, nil
}

// EmployerKeyPrefix starts every employer API key, so that the edge can tell a key
// from an OIDC token.
const EmployerKeyPrefix = "plein_emp_"

// RegisterEmployer adds an employer partner to tenant t and returns its new API key,
// shown once; only its hash is stored.
func RegisterEmployer(ctx context.Context, app *pgxpool.Pool, t tenant.ID, id, name string) (string, error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	key := EmployerKeyPrefix + hex.EncodeToString(raw[:])
	sum := sha256.Sum256([]byte(key))
	err := db.InTenant(tenant.WithID(ctx, t), app, func(ctx context.Context, tx pgx.Tx) error {
		return store.PutEmployer(ctx, tx, id, name, sum[:])
	})
	if err != nil {
		return "", fmt.Errorf("income: register employer: %w", err)
	}
	return key, nil
}
