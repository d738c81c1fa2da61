package income

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// ErrPurposeRequired is returned for a staff read without a purpose.
var ErrPurposeRequired = errors.New("a purpose is required to read a resident's data")

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer = authz.Decider

// Staff is the income service as staff and partners reach it over the API: every call
// authorized for the principal in the context, every read of a resident's month
// audited with its purpose.
type Staff struct {
	svc Service
	app *pgxpool.Pool
	az  Authorizer
}

// NewStaff returns the staff and partner face of svc.
func NewStaff(svc Service, app *pgxpool.Pool, az Authorizer) *Staff {
	return &Staff{svc: svc, app: app, az: az}
}

// Month returns a resident's month for a consulent: the same result, with the same
// explanation, as the resident sees. The read is recorded with its purpose; without
// the record, nothing is returned.
func (s *Staff) Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, purpose string) (Month, error) {
	return staffRead(ctx, s, t, authz.ObjectResident, residentID, purpose, "resident.month.read", func() (Month, error) {
		return s.svc.Month(ctx, t, residentID, period)
	})
}

// staffRead authorizes the principal in ctx to read object, checks the purpose, runs
// read and records, in the tenant's transaction, that the principal read the
// resident's data for that purpose (action): without the record, nothing is
// returned.
func staffRead[T any](ctx context.Context, s *Staff, t tenant.ID, object authz.Object, residentID, purpose, action string,
	read func() (T, error)) (T, error) {
	var zero T
	p := authz.PrincipalFrom(ctx)
	if err := s.az.Authorize(ctx, p, t, object, authz.ActionRead); err != nil {
		return zero, err
	}
	purpose, err := checkPurpose(purpose)
	if err != nil {
		return zero, err
	}
	out, err := read()
	if err != nil {
		return zero, err
	}
	err = db.InTenant(tenant.WithID(ctx, t), s.app, func(ctx context.Context, tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: p.Subject, Role: p.RoleList(), Action: action,
			ObjectType: "resident", ObjectID: residentID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
	})
	if err != nil {
		return zero, fmt.Errorf("income: audit: %w", err)
	}
	return out, nil
}

// checkPurpose returns the clean purpose of a staff read (platform/input, 5 to 300
// characters): ErrPurposeRequired without one, a field error on purpose for one that
// holds characters no text may hold.
func checkPurpose(purpose string) (string, error) {
	purpose, pr := input.Text(purpose, 300)
	switch {
	case pr.Kind == input.Forbidden || pr.Kind == input.Invisible:
		return "", invalid(httpapi.FieldError{Field: "purpose", EN: "the purpose " + pr.EN(), NL: pr.NL()})
	case !pr.OK() || utf8.RuneCountInString(purpose) < 5:
		return "", ErrPurposeRequired
	}
	return purpose, nil
}

// SubmitPayslip hands in a payslip on a resident's behalf (a consulent with the paper).
func (s *Staff) SubmitPayslip(ctx context.Context, t tenant.ID, residentID string, np NewPayslip) (Payslip, error) {
	if err := s.staffOnly(ctx, t); err != nil {
		return Payslip{}, err
	}
	np.Actor = authz.PrincipalFrom(ctx).Subject
	return s.svc.SubmitPayslip(ctx, t, residentID, np, SourceConsulent)
}

// staffOnly authorizes a staff act on a resident's payslips: payslip:write, which only
// staff roles hold. A resident (who holds payslip:submit for her own, in the portal)
// or an employer (payslip:submit, on the partner route only) is refused here.
func (s *Staff) staffOnly(ctx context.Context, t tenant.ID) error {
	p := authz.PrincipalFrom(ctx)
	if slicesContains(p.Roles, authz.RoleResident) || slicesContains(p.Roles, authz.RoleEmployer) || slicesContains(p.Roles, authz.RoleCreditor) {
		return fmt.Errorf("income: %w: staff only", authz.ErrForbidden)
	}
	return s.az.Authorize(ctx, p, t, authz.ObjectPayslip, authz.ActionWrite)
}

// ReviewPayslip confirms or declines a resident's correction of a payslip a consulent
// recorded.
func (s *Staff) ReviewPayslip(ctx context.Context, t tenant.ID, residentID, payslipID string, confirm bool, reason string) (Payslip, error) {
	if err := s.staffOnly(ctx, t); err != nil {
		return Payslip{}, err
	}
	return s.svc.ReviewPayslip(ctx, t, residentID, payslipID, confirm, reason, authz.PrincipalFrom(ctx).Subject)
}

// Payslips lists every payslip of a resident paid in the period, pending corrections
// included, for staff; the read is audited with its purpose.
func (s *Staff) Payslips(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period, purpose string) ([]Payslip, error) {
	return staffRead(ctx, s, t, authz.ObjectPayslip, residentID, purpose, "resident.payslips.read", func() ([]Payslip, error) {
		return s.svc.AllPayslips(ctx, t, residentID, period)
	})
}

// EmployerPayslip stores a payslip an employer partner sends for the resident with bsn.
func (s *Staff) EmployerPayslip(ctx context.Context, t tenant.ID, bsn string, np NewPayslip) (Payslip, error) {
	p := authz.PrincipalFrom(ctx)
	if err := s.az.Authorize(ctx, p, t, authz.ObjectPayslip, authz.ActionSubmit); err != nil {
		return Payslip{}, err
	}
	employerID, ok := strings.CutPrefix(p.Subject, "employer:")
	if !ok || !slicesContains(p.Roles, authz.RoleEmployer) {
		return Payslip{}, fmt.Errorf("income: %w: only an employer sends payslips here", authz.ErrForbidden)
	}
	return s.svc.SubmitFromEmployer(ctx, t, employerID, bsn, np)
}

func slicesContains(rs []authz.Role, r authz.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
