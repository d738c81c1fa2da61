package main

import (
	"time"

	"github.com/plein-nl/plein/platform/access"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/ratelimit"
)

// partnerFloor is the grain of a partner API answer's time: it is sent at a whole
// multiple of it (access.Floor). The answers to an unknown BSN, a known one without
// consent and one with it already do the same queries; the grain hides what is left (a
// payslip stored, a debt registered), so timing tells an employer or a creditor nothing
// about which BSNs the gemeente knows. The slowest of these answers takes a few
// milliseconds (README, Performance).
const partnerFloor = 50 * time.Millisecond

// The API's access rules (platform/access): who may call each route. The services
// check again, by object, inside.

func perms(ps ...authz.Permission) []authz.Permission { return ps }

var (
	residentRead  = authz.Permission{Object: authz.ObjectResident, Action: authz.ActionRead}
	residentWrite = authz.Permission{Object: authz.ObjectResident, Action: authz.ActionWrite}
	payslipRead   = authz.Permission{Object: authz.ObjectPayslip, Action: authz.ActionRead}
	payslipWrite  = authz.Permission{Object: authz.ObjectPayslip, Action: authz.ActionWrite}
	planRead      = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionRead}
	planWrite     = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionWrite}
	planApprove   = authz.Permission{Object: authz.ObjectPaymentPlan, Action: authz.ActionApprove}
	debtRead      = authz.Permission{Object: authz.ObjectDebt, Action: authz.ActionRead}
	debtWrite     = authz.Permission{Object: authz.ObjectDebt, Action: authz.ActionWrite}
	signalRead    = authz.Permission{Object: authz.ObjectSignal, Action: authz.ActionRead}
	configRead    = authz.Permission{Object: authz.ObjectTenantConfig, Action: authz.ActionRead}
	configWrite   = authz.Permission{Object: authz.ObjectTenantConfig, Action: authz.ActionWrite}
	auditRead     = authz.Permission{Object: authz.ObjectAudit, Action: authz.ActionRead}
	tenantsList   = authz.Permission{Object: authz.ObjectTenants, Action: authz.ActionList}
	tenantsMove   = authz.Permission{Object: authz.ObjectTenants, Action: authz.ActionLifecycle}
	settleRead    = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionRead}
	settleRun     = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionRun}
	settleApprove = authz.Permission{Object: authz.ObjectSettlement, Action: authz.ActionApprove}
)

// apiAccess is the access rule of every API route, by its mux pattern. A route mounted
// without a rule here stops the process at start (access.Table.Handle), so no route is
// ever reachable by default; TestRouteAccess calls every route as every kind of
// principal.
var apiAccess = map[string]access.Rule{
	// The tenant registry and the audit trail.
	"GET /api/v1/tenants":                 {Staff: perms(tenantsList)},
	"GET /api/v1/tenants/{tenant}/config": {Staff: perms(configRead)},
	"GET /api/v1/tenants/{tenant}/audit":  {Staff: perms(auditRead)},
	// The operators' lifecycle API (coöperatie-wide).
	"GET /api/v1/operator/tenants":                   {Staff: perms(tenantsList)},
	"GET /api/v1/operator/tenants/{tenant}":          {Staff: perms(configRead)},
	"GET /api/v1/operator/tenants/{tenant}/events":   {Staff: perms(tenantsList)},
	"POST /api/v1/operator/tenants/{tenant}/suspend": {Staff: perms(tenantsMove)},
	"POST /api/v1/operator/tenants/{tenant}/resume":  {Staff: perms(tenantsMove)},
	// Residents' case data: staff only.
	"POST /api/v1/tenants/{tenant}/residents":        {Staff: perms(residentWrite)},
	"POST /api/v1/tenants/{tenant}/residents/search": {Staff: perms(residentRead), Limit: ratelimit.Search},
	"GET /api/v1/tenants/{tenant}/residents":         {Staff: perms(residentRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}":    {Staff: perms(residentRead)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}":  {Staff: perms(residentWrite)},
	// Months and payslips: staff record payslips on a resident's behalf (payslip:write,
	// which neither residents nor employers hold); employers only on the partner route.
	"GET /api/v1/tenants/{tenant}/residents/{id}/months/{period}":                   {Staff: perms(residentRead), Limit: ratelimit.Calc},
	"GET /api/v1/tenants/{tenant}/residents/{id}/payslips":                          {Staff: perms(payslipRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips":                         {Staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/confirm":       {Staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/payslips/{payslip}/decline":       {Staff: perms(payslipWrite)},
	"POST /api/v1/tenants/{tenant}/partner/payslips":                                {Partner: authz.RoleEmployer, Limit: ratelimit.Partner},
	"GET /api/v1/tenants/{tenant}/creditors":                                        {Staff: perms(planRead, configRead)},
	"POST /api/v1/tenants/{tenant}/creditors":                                       {Staff: perms(planWrite, configWrite)},
	"GET /api/v1/tenants/{tenant}/creditors/{id}":                                   {Staff: perms(planRead, configRead)},
	"GET /api/v1/tenants/{tenant}/creditors/{id}/messages":                          {Staff: perms(planRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans":                            {Staff: perms(planWrite), Self: authz.ActionWrite},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans":                             {Staff: perms(planRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                      {Staff: perms(planRead)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}":                    {Staff: perms(planWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/approve":             {Staff: perms(planApprove)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/reject":              {Staff: perms(planApprove)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plans/{plan}/stop":                {Staff: perms(planWrite), Self: authz.ActionWrite},
	"GET /api/v1/tenants/{tenant}/residents/{id}/shortfalls":                        {Staff: perms(planRead)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/debts":                             {Staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/debts":                            {Staff: perms(debtWrite)},
	"PATCH /api/v1/tenants/{tenant}/residents/{id}/debts/{debt}":                    {Staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                   {Staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/plan-van-aanpak":                  {Staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/residents/{id}/traject":                           {Staff: perms(debtRead)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject":                          {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/accept": {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/residents/{id}/traject/offers/{creditor}/reject": {Staff: perms(debtWrite)},
	"GET /api/v1/tenants/{tenant}/schuldhulp/queue":                                 {Staff: perms(signalRead)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/contact":               {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/accept":                {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/decline":               {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/signals/{item}/resident":              {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests":                             {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/schuldhulp/requests/{item}/contact":              {Staff: perms(debtWrite)},
	"POST /api/v1/tenants/{tenant}/partner/signals":                                 {Partner: authz.RoleCreditor, Limit: ratelimit.Partner},
	// Settlement.
	"GET /api/v1/settlement/runs":                                    {Staff: perms(settleRead)},
	"POST /api/v1/tenants/{tenant}/settlement/runs":                  {Staff: perms(settleRun)},
	"GET /api/v1/tenants/{tenant}/settlement/runs":                   {Staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}":              {Staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/diff":         {Staff: perms(settleRead)},
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/approve":     {Staff: perms(settleApprove)},
	"POST /api/v1/tenants/{tenant}/settlement/runs/{id}/cancel":      {Staff: perms(settleRun)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files":        {Staff: perms(settleRead)},
	"GET /api/v1/tenants/{tenant}/settlement/runs/{id}/files/{name}": {Staff: perms(settleRead)},
	// The API's descriptions, and the answer to every other path under /api/.
	"GET /api/v1/openapi/residents.yaml":    {Anyone: true},
	"GET /api/v1/openapi/creditors.yaml":    {Anyone: true},
	"GET /api/v1/openapi/paymentplans.yaml": {Anyone: true},
	"GET /api/v1/openapi/debts.yaml":        {Anyone: true},
	"/api/":                                 {Anyone: true},
}
