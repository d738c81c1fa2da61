package authz

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// modelText is the casbin model; its comments explain how domains are kept apart.
//
//go:embed model.conf
var modelText string

// policyText holds the role grants: coöperatie rows and per-tenant role templates.
//
//go:embed policy.csv
var policyText string

const (
	// coopDomain is the domain of the coöperatie: the home of a coop-operator, the
	// domain of its grants, and the target of coöperatie-wide requests. It is not a
	// valid tenant id, so it cannot collide with a tenant.
	coopDomain = "*"
	// tenantPlaceholder marks a role template in policy.csv. It is not a valid tenant
	// id either: loaded into casbin as is, a template would match nothing.
	tenantPlaceholder = "{tenant}"
)

// rule is one validated row of policy.csv. dom is coopDomain or tenantPlaceholder.
type rule struct {
	role Role
	dom  string
	perm Permission
}

// parsePolicy reads and validates policy text: every row must be "p, role, domain,
// object, action" with a known role, a known object and action pair, the coöperatie
// domain for coop-operator and the tenant placeholder for every other role, and no
// row may repeat.
func parsePolicy(text string, perms map[Permission]bool) ([]rule, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1

	var rules []rule
	seen := make(map[rule]bool)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(rec) != 5 || rec[0] != "p" {
			return nil, fmt.Errorf("%w: line %d: want \"p, role, domain, object, action\", got %q",
				ErrInvalidPolicy, line, strings.Join(rec, ", "))
		}
		ru := rule{role: Role(rec[1]), dom: rec[2], perm: Permission{Object(rec[3]), Action(rec[4])}}
		if err := validateRule(ru, perms); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalidPolicy, line, err)
		}
		if seen[ru] {
			return nil, fmt.Errorf("%w: line %d: duplicate row %q", ErrInvalidPolicy, line, strings.Join(rec, ", "))
		}
		seen[ru] = true
		rules = append(rules, ru)
	}
	if len(rules) == 0 {
		return nil, fmt.Errorf("%w: no rows", ErrInvalidPolicy)
	}
	return rules, nil
}

func validateRule(ru rule, perms map[Permission]bool) error {
	if !slices.Contains(Roles(), ru.role) {
		return fmt.Errorf("%w: %q", ErrUnknownRole, ru.role)
	}
	if !perms[ru.perm] {
		return fmt.Errorf("%w: %s", ErrUnknownPermission, ru.perm)
	}
	switch {
	case ru.role == RoleCoopOperator && ru.dom != coopDomain:
		return fmt.Errorf("role %s must have domain %q, got %q", ru.role, coopDomain, ru.dom)
	case ru.role != RoleCoopOperator && ru.dom != tenantPlaceholder:
		return fmt.Errorf("role %s must have domain %q, got %q", ru.role, tenantPlaceholder, ru.dom)
	}
	return nil
}

// validateGrants checks a tenant's own grants from a PolicySource: known tenant
// roles and permissions only. RoleCoopOperator cannot be granted anything by a
// tenant: its access to a tenant's residents is break-glass, not policy.
func validateGrants(grants []Grant, perms map[Permission]bool) error {
	for _, g := range grants {
		if g.Role == RoleCoopOperator {
			return fmt.Errorf("%w: a tenant cannot grant %s", ErrInvalidPolicy, g.Role)
		}
		if err := validateRule(rule{role: g.Role, dom: tenantPlaceholder, perm: g.Permission}, perms); err != nil {
			return fmt.Errorf("%w: grant %s %s: %w", ErrInvalidPolicy, g.Role, g.Permission, err)
		}
	}
	return nil
}

// domainRows returns the casbin policy rows of one domain: the coöperatie rows, and
// for a tenant the role templates and its own grants instantiated for that tenant.
// No row of any other tenant is ever in it.
func domainRows(rules []rule, dom string, grants []Grant) [][]string {
	rows := make([][]string, 0, len(rules)+len(grants))
	seen := make(map[[4]string]bool, cap(rows))
	add := func(role Role, d string, p Permission) {
		row := [4]string{string(role), d, string(p.Object), string(p.Action)}
		if !seen[row] {
			seen[row] = true
			rows = append(rows, row[:])
		}
	}
	for _, ru := range rules {
		switch {
		case ru.dom == coopDomain:
			add(ru.role, coopDomain, ru.perm)
		case dom != coopDomain:
			add(ru.role, dom, ru.perm)
		}
	}
	if dom != coopDomain {
		for _, g := range grants {
			add(g.Role, dom, g.Permission)
		}
	}
	return rows
}

// newEnforcer builds a casbin enforcer over the given rows. Its policy is never
// changed afterwards: a policy change builds a new one (see Authorizer.Reload), so
// concurrent calls only read it, and the decisions it caches never go stale.
func newEnforcer(modelText string, rows [][]string) (*casbin.SyncedCachedEnforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("%w: model: %w", ErrInvalidPolicy, err)
	}
	if err := m.AddPolicies("p", "p", rows); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPolicy, err)
	}
	e, err := casbin.NewSyncedCachedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("%w: enforcer: %w", ErrInvalidPolicy, err)
	}
	return e, nil
}
