package income_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
)

func TestRegisterAndAuthenticateEmployer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	key, err := income.RegisterEmployer(ctx, b.d.App, enschede, "acme", "Acme Schoonmaak B.V.")
	if err != nil {
		t.Fatal(err)
	}
	// The prefix and 32 random bytes in hex.
	if !strings.HasPrefix(key, income.EmployerKeyPrefix) || len(key) != len(income.EmployerKeyPrefix)+64 {
		t.Fatalf("key = %q, want %q and 64 hex digits", key, income.EmployerKeyPrefix)
	}
	other, err := income.RegisterEmployer(ctx, b.d.App, enschede, "bakker", "Bakkerij de Korenschoof")
	if err != nil {
		t.Fatal(err)
	}
	if other == key {
		t.Fatal("two employers got the same key")
	}
	tests := []struct {
		name    string
		tn      tenant.ID
		key     string
		want    string
		wantErr error
	}{
		{"own key", enschede, key, "acme", nil},
		{"other employer's key", enschede, other, "bakker", nil},
		{"wrong key", enschede, key[:len(key)-1] + "x", "", income.ErrUnknownJob},
		{"empty key", enschede, "", "", income.ErrUnknownJob},
		{"key of another tenant", zwolle, key, "", income.ErrUnknownJob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := income.AuthenticateEmployer(ctx, b.d.App, tt.tn, tt.key)
			if got != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("AuthenticateEmployer = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	emps, err := b.svc.Employers(ctx, enschede)
	if err != nil {
		t.Fatal(err)
	}
	want := []income.Employer{{ID: "acme", Name: "Acme Schoonmaak B.V."}, {ID: "bakker", Name: "Bakkerij de Korenschoof"}}
	if len(emps) != len(want) || emps[0] != want[0] || emps[1] != want[1] {
		t.Errorf("Employers = %+v, want %+v", emps, want)
	}
	if emps, err := b.svc.Employers(ctx, zwolle); err != nil || len(emps) != 0 {
		t.Errorf("Employers of zwolle = %+v, %v; want none", emps, err)
	}
	// Registering again rotates the key: the old one stops working.
	rotated, err := income.RegisterEmployer(ctx, b.d.App, enschede, "acme", "Acme Schoonmaak B.V.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := income.AuthenticateEmployer(ctx, b.d.App, enschede, key); !errors.Is(err, income.ErrUnknownJob) {
		t.Errorf("old key after rotation: err = %v, want ErrUnknownJob", err)
	}
	if got, err := income.AuthenticateEmployer(ctx, b.d.App, enschede, rotated); got != "acme" || err != nil {
		t.Errorf("new key = %q, %v; want acme", got, err)
	}
}

func TestEmployerPayslipNeedsConsent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.resident(t, enschede, couple())
	if _, err := income.RegisterEmployer(context.Background(), b.d.App, enschede, "acme", "Acme Schoonmaak B.V."); err != nil {
		t.Fatal(err)
	}
	// The residents service audits the BSN lookup with the employer as reader.
	emp := as(employerPrincipal(enschede, "acme"))
	p := slip("ignored: the registered name is used", 100000)
	p.Applicant = 1 // ignored too: the BSN says whose payslip it is

	if _, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnResident, p); !errors.Is(err, income.ErrNoConsent) {
		t.Fatalf("without consent: err = %v, want ErrNoConsent", err)
	}
	if err := b.svc.GrantConsent(context.Background(), enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	// Granting an open consent again changes nothing (and is not audited twice).
	if err := b.svc.GrantConsent(context.Background(), enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	got, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnResident, p)
	if err != nil {
		t.Fatalf("with consent: %v", err)
	}
	if got.Source != income.SourceEmployer || got.EmployerID != "acme" || got.Employer != "Acme Schoonmaak B.V." ||
		got.Applicant != 0 || got.ResidentID != id {
		t.Errorf("employer payslip = %+v; want source employer, employer acme (Acme Schoonmaak B.V.), applicant 0 of %s", got, id)
	}
	// The partner's BSN makes it the partner's payslip; a second one for the
	// resident's period is a correction.
	pp, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnPartner, p)
	if err != nil {
		t.Fatal(err)
	}
	if pp.Applicant != 1 || pp.Supersedes != "" {
		t.Errorf("partner's payslip: applicant %d supersedes %q; want 1, none", pp.Applicant, pp.Supersedes)
	}
	p.Net = 90000
	corr, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnResident, p)
	if err != nil {
		t.Fatal(err)
	}
	if corr.Supersedes != got.ID {
		t.Errorf("employer's correction supersedes %q, want %q", corr.Supersedes, got.ID)
	}
	slips, err := b.svc.Payslips(context.Background(), enschede, id, period("2026-03"))
	if err != nil {
		t.Fatal(err)
	}
	if len(slips) != 2 {
		t.Errorf("Payslips = %d, want 2 (the correction and the partner's)", len(slips))
	}
	for _, s := range slips {
		if s.Source != income.SourceEmployer || s.EmployerID != "acme" {
			t.Errorf("stored payslip source %q employer %q, want employer, acme", s.Source, s.EmployerID)
		}
	}

	b.clock.Advance(time.Hour)
	if err := b.svc.RevokeConsent(context.Background(), enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnResident, p); !errors.Is(err, income.ErrNoConsent) {
		t.Errorf("after revoking: err = %v, want ErrNoConsent", err)
	}
	// Revoking what is not open is a no-op.
	if err := b.svc.RevokeConsent(context.Background(), enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(time.Hour)
	if err := b.svc.GrantConsent(context.Background(), enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}

	consents, err := b.svc.Consents(context.Background(), enschede, id)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	revoked := t0.Add(time.Hour)
	want := []income.Consent{
		{EmployerID: "acme", EmployerName: "Acme Schoonmaak B.V.", GrantedAt: t0.Add(2 * time.Hour)},
		{EmployerID: "acme", EmployerName: "Acme Schoonmaak B.V.", GrantedAt: t0, RevokedAt: &revoked},
	}
	if len(consents) != len(want) {
		t.Fatalf("Consents = %+v, want %d", consents, len(want))
	}
	for i, c := range consents {
		w := want[i]
		if c.EmployerID != w.EmployerID || c.EmployerName != w.EmployerName || !c.GrantedAt.Equal(w.GrantedAt) ||
			(c.RevokedAt == nil) != (w.RevokedAt == nil) || (c.RevokedAt != nil && !c.RevokedAt.Equal(*w.RevokedAt)) {
			t.Errorf("consent %d = %+v (revoked %v), want %+v (revoked %v)", i, c, c.RevokedAt, w, w.RevokedAt)
		}
	}

	// Two grants and one revoke were audited, each with the resident as actor.
	for action, n := range map[string]int{"employer-consent.grant": 2, "employer-consent.revoke": 1} {
		rows := b.auditRows(t, enschede, action)
		if len(rows) != n {
			t.Errorf("%s audit rows = %d, want %d", action, len(rows), n)
		}
		for _, e := range rows {
			want := audit.Entry{Actor: "resident:" + id, Role: "resident", Action: action, ObjectType: "employer-consent", ObjectID: id + "/acme"}
			if e.Actor != want.Actor || e.Role != want.Role || e.ObjectType != want.ObjectType || e.ObjectID != want.ObjectID || e.Purpose == "" {
				t.Errorf("audit row = %+v, want %+v with a purpose", e, want)
			}
		}
	}
}

func TestConsentErrors(t *testing.T) {
	t.Parallel()
	b, id := setupResident(t)
	ctx := context.Background()
	if _, err := income.RegisterEmployer(ctx, b.d.App, zwolle, "acme", "Acme Zwolle"); err != nil {
		t.Fatal(err)
	}
	// Unknown here, and zwolle's employer is not enschede's.
	for _, emp := range []string{"nobody", "acme"} {
		if err := b.svc.GrantConsent(ctx, enschede, id, emp); !errors.Is(err, income.ErrUnknownJob) {
			t.Errorf("consent for %s: err = %v, want ErrUnknownJob", emp, err)
		}
	}
	if n := len(b.auditRows(t, enschede, "employer-consent.grant")); n != 0 {
		t.Errorf("grant audit rows = %d, want 0", n)
	}
	if cs, err := b.svc.Consents(ctx, enschede, id); err != nil || len(cs) != 0 {
		t.Errorf("Consents = %+v, %v; want none", cs, err)
	}
	// An employer payslip for a BSN the tenant does not know is refused exactly like one
	// without consent, so that an employer cannot probe which BSNs are known.
	if _, err := income.RegisterEmployer(ctx, b.d.App, enschede, "acme", "Acme Schoonmaak B.V."); err != nil {
		t.Fatal(err)
	}
	emp := as(employerPrincipal(enschede, "acme"))
	if _, err := b.svc.SubmitFromEmployer(emp, enschede, "acme", bsnPartner, slip("x", 1000)); !errors.Is(err, income.ErrNoConsent) {
		t.Errorf("unknown BSN: err = %v, want ErrNoConsent", err)
	}
	// Enschede's resident through zwolle's employer.
	if err := b.svc.GrantConsent(ctx, enschede, id, "acme"); err != nil {
		t.Fatal(err)
	}
	empZ := as(employerPrincipal(zwolle, "acme"))
	if _, err := b.svc.SubmitFromEmployer(empZ, zwolle, "acme", bsnResident, slip("x", 1000)); !errors.Is(err, income.ErrNoConsent) {
		t.Errorf("enschede's BSN via zwolle: err = %v, want ErrNoConsent", err)
	}
}
