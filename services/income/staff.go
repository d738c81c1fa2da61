package income

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// ErrPurposeRequired is returned for a staff read without a purpose.
var ErrPurposeRequired = errors.New("a purpose is required to read a resident's data")

// Authorizer decides; satisfied by *authz.Authorizer.
type Authorizer interface {
	Authorize(ctx context.Context, p authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error
}

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
	p := authz.PrincipalFrom(ctx)
	if err := s.az.Authorize(ctx, p, t, authz.ObjectResident, authz.ActionRead); err != nil {
		return Month{}, err
	}
	purpose = strings.TrimSpace(purpose)
	if len([]rune(purpose)) < 5 || len([]rune(purpose)) > 300 {
		return Month{}, ErrPurposeRequired
	}
	m, err := s.svc.Month(ctx, t, residentID, period)
	if err != nil {
		return Month{}, err
	}
	err = db.InTenant(tenant.WithID(ctx, t), s.app, func(ctx context.Context, tx pgx.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{Actor: p.Subject, Role: roleList(p.Roles), Action: "resident.month.read",
			ObjectType: "resident", ObjectID: residentID, Purpose: purpose, RequestID: observe.RequestID(ctx)})
	})
	if err != nil {
		return Month{}, fmt.Errorf("income: audit: %w", err)
	}
	return m, nil
}

// SubmitPayslip hands in a payslip on a resident's behalf (a consulent with the paper).
func (s *Staff) SubmitPayslip(ctx context.Context, t tenant.ID, residentID string, np NewPayslip) (Payslip, error) {
	if err := s.az.Authorize(ctx, authz.PrincipalFrom(ctx), t, authz.ObjectPayslip, authz.ActionSubmit); err != nil {
		return Payslip{}, err
	}
	return s.svc.SubmitPayslip(ctx, t, residentID, np, SourceConsulent)
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

func roleList(rs []authz.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}
