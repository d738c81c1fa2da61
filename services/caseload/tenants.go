package caseload

import (
	"strings"

	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// Tenants is settlement.Tenants over the tenant directory.
type Tenants struct{ dir *tenancy.Directory }

var _ settlement.Tenants = Tenants{}

// NewTenants returns the settlement's view of the tenants in dir.
func NewTenants(dir *tenancy.Directory) Tenants { return Tenants{dir: dir} }

// Settings are t's settlement settings from its configuration: the debtor of its SEPA
// files is its bank account, the town its name without "Gemeente ".
func (s Tenants) Settings(t tenant.ID) (settlement.Settings, bool) {
	tt, ok := s.dir.ByID(t)
	if !ok {
		return settlement.Settings{}, false
	}
	c := tt.Config
	st := c.Settlement
	return settlement.Settings{
		Status: string(tt.Status),
		Debtor: sepa.Debtor{Name: c.Bank.AccountName, IBAN: iban.IBAN(c.Bank.IBAN), BIC: c.Bank.BIC,
			Town: strings.TrimPrefix(c.Name, "Gemeente "), Country: "NL"},
		PayDay:               st.PayDayOrDefault(),
		LeadDays:             st.RunLeadDaysOrDefault(),
		VakantietoeslagMonth: st.VakantietoeslagMonthOrDefault(),
		SEPAVersion:          sepa.Version(st.SEPAVersionOrDefault()),
	}, true
}

// All is every tenant in the directory, whatever its status.
func (s Tenants) All() []tenant.ID {
	var out []tenant.ID
	for _, t := range s.dir.All() {
		out = append(out, t.Config.ID)
	}
	return out
}

// Active is the tenants whose runs are scheduled: the active ones.
func (s Tenants) Active() []tenant.ID {
	var out []tenant.ID
	for _, t := range s.dir.All() {
		if t.Status == tenancy.StatusActive {
			out = append(out, t.Config.ID)
		}
	}
	return out
}
