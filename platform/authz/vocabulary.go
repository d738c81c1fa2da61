package authz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/plein-nl/plein/platform/tenant"
)

// Role is a role a principal holds in its home tenant (or, for RoleCoopOperator, in
// the coöperatie).
type Role string

// The roles of Plein. ARCHITECTURE.md, section Users, describes who holds them.
const (
	// RoleCoopOperator runs the platform for the coöperatie: tenant lifecycle,
	// configuration, watching runs. It holds in every tenant but has no resident data.
	RoleCoopOperator Role = "coop-operator"
	// RoleTenantAdmin administers one gemeente: configuration, minima, sign-off.
	RoleTenantAdmin Role = "tenant-admin"
	// RoleConsulent works a gemeente's bijstand caseload.
	RoleConsulent Role = "consulent"
	// RoleSchuldhulpverlener works a gemeente's debt counselling.
	RoleSchuldhulpverlener Role = "schuldhulpverlener"
	// RoleResident is an inwoner in the portal, with access to their own data only.
	RoleResident Role = "resident"
	// RoleEmployer is a machine partner that submits payslips.
	RoleEmployer Role = "employer"
	// RoleCreditor is a machine partner that reports arrears (vroegsignalering).
	RoleCreditor Role = "creditor"
)

// Roles returns every role, in a fixed order. The caller owns the slice.
func Roles() []Role {
	return []Role{
		RoleCoopOperator,
		RoleTenantAdmin,
		RoleConsulent,
		RoleSchuldhulpverlener,
		RoleResident,
		RoleEmployer,
		RoleCreditor,
	}
}

// ParseRole returns the role named s, or an error wrapping ErrUnknownRole. Names are
// matched exactly: "Consulent" is not a role.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles(), r) {
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrUnknownRole, s)
}

// String returns the role's name.
func (r Role) String() string { return string(r) }

// Object is a kind of thing an action is taken on.
type Object string

// The objects of Plein's authorization vocabulary. Permissions lists the actions each
// one takes.
const (
	// ObjectTenantConfig is a tenant's configuration (tenants/*.yaml and its history).
	ObjectTenantConfig Object = "tenant-config"
	// ObjectTenants is the coöperatie-wide tenant list and the lifecycle of a tenant
	// (onboard, suspend, resume, offboard).
	ObjectTenants Object = "tenants"
	// ObjectResident is staff access to residents' case data.
	ObjectResident Object = "resident"
	// ObjectSelf is a resident's own data. The service must still check that the
	// record is the principal's own (Principal.IsSelf).
	ObjectSelf Object = "self"
	// ObjectPayslip is a payslip (income data) of a resident. "submit" is handing one
	// in from outside: a resident her own (portal), an employer with consent (partner
	// API). "write" is staff recording or confirming one on a resident's behalf.
	ObjectPayslip Object = "payslip"
	// ObjectPaymentPlan is a payment plan: the direct payments of fixed costs.
	ObjectPaymentPlan Object = "paymentplan"
	// ObjectDebt is a resident's debt.
	ObjectDebt Object = "debt"
	// ObjectSignal is an arrears report by a creditor (vroegsignalering).
	ObjectSignal Object = "signal"
	// ObjectSettlement is a settlement run of a tenant and period.
	ObjectSettlement Object = "settlement"
	// ObjectAudit is the audit trail.
	ObjectAudit Object = "audit"
	// ObjectMinima is a tenant's minimaregelingen.
	ObjectMinima Object = "minima"
)

// String returns the object's name.
func (o Object) String() string { return string(o) }

// Action is what is done to an Object.
type Action string

// The actions of Plein's authorization vocabulary.
const (
	// ActionRead reads.
	ActionRead Action = "read"
	// ActionWrite creates, changes or deletes.
	ActionWrite Action = "write"
	// ActionList lists (the tenant list).
	ActionList Action = "list"
	// ActionLifecycle moves a tenant through its lifecycle.
	ActionLifecycle Action = "lifecycle"
	// ActionSubmit hands in data from outside (a payslip, a signal).
	ActionSubmit Action = "submit"
	// ActionApprove approves (a payment plan, a settlement run).
	ActionApprove Action = "approve"
	// ActionRun starts or resumes (a settlement run).
	ActionRun Action = "run"
)

// String returns the action's name.
func (a Action) String() string { return string(a) }

// Permission is an action on an object: the unit a role is granted.
type Permission struct {
	Object Object
	Action Action
}

// String returns "object:action".
func (p Permission) String() string { return string(p.Object) + ":" + string(p.Action) }

// Permissions returns every valid object and action pair, in a fixed order. Asking
// Authorize about any other pair is an error. The caller owns the slice.
func Permissions() []Permission {
	return []Permission{
		{ObjectTenantConfig, ActionRead}, {ObjectTenantConfig, ActionWrite},
		{ObjectTenants, ActionList}, {ObjectTenants, ActionLifecycle},
		{ObjectResident, ActionRead}, {ObjectResident, ActionWrite},
		{ObjectSelf, ActionRead}, {ObjectSelf, ActionWrite},
		{ObjectPayslip, ActionSubmit}, {ObjectPayslip, ActionRead}, {ObjectPayslip, ActionWrite},
		{ObjectPaymentPlan, ActionRead}, {ObjectPaymentPlan, ActionWrite}, {ObjectPaymentPlan, ActionApprove},
		{ObjectDebt, ActionRead}, {ObjectDebt, ActionWrite},
		{ObjectSignal, ActionSubmit}, {ObjectSignal, ActionRead},
		{ObjectSettlement, ActionRead}, {ObjectSettlement, ActionRun}, {ObjectSettlement, ActionApprove},
		{ObjectAudit, ActionRead},
		{ObjectMinima, ActionRead}, {ObjectMinima, ActionWrite},
	}
}

// Principal is an authenticated caller: a resident, a staff member, an operator of the
// coöperatie or a machine partner. Package auth builds it from an OIDC token or a
// portal session; authz only decides what it may do.
//
// Roles are held in the home Tenant only: a principal never acts in another tenant,
// except RoleCoopOperator, whose principal has an empty Tenant (it belongs to the
// coöperatie) and whose grants hold in every tenant. A principal with an empty Tenant
// and any other role is granted nothing; a principal with a Tenant gets nothing from
// RoleCoopOperator.
type Principal struct {
	// Subject identifies the principal at its issuer (the OIDC "sub"). Empty means
	// unauthenticated. It may be sensitive, so authz never puts it in an error.
	Subject string
	// Tenant is the home tenant; empty for a coop-operator.
	Tenant tenant.ID
	// Roles are the principal's roles in its home tenant. Unknown roles grant nothing.
	Roles []Role
	// ResidentID is the resident a RoleResident principal is, when known; services
	// compare it with the record to enforce "own data only" (see IsSelf).
	ResidentID string
}

// IsSelf reports whether p is the resident residentID: p holds RoleResident and its
// non-empty ResidentID equals residentID. Services call it for ObjectSelf.
func (p Principal) IsSelf(residentID string) bool {
	return p.ResidentID != "" && p.ResidentID == residentID && slices.Contains(p.Roles, RoleResident)
}

// RoleList is the audit log's role of p: every role it holds, comma-separated, so
// that the services record a reader the same way.
func (p Principal) RoleList() string {
	s := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}
