package tenancy

import (
	"slices"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// TestRealTenantsCooperatie checks the gemeenten in tenants/ as a set: enough of them to
// be the coöperatie, and nothing two of them may share (a CBS code, a portal host, a
// settlement account). LoadPath has already validated each file on its own.
func TestRealTenantsCooperatie(t *testing.T) {
	t.Parallel()
	loaded, err := LoadPath("../../tenants")
	if err != nil {
		t.Fatalf("LoadPath(../../tenants): %v", err)
	}
	if len(loaded) < 30 {
		t.Errorf("tenants/ holds %d gemeenten, want at least 30", len(loaded))
	}

	codes := map[string]tenant.ID{}
	hosts := map[string]tenant.ID{}
	ibans := map[string]tenant.ID{}
	byID := map[tenant.ID]Config{}
	silos := 0
	for _, l := range loaded {
		c := l.Config
		byID[c.ID] = c
		for _, code := range c.CBSCodes {
			if prev, ok := codes[code]; ok {
				t.Errorf("CBS code %s belongs to both %s and %s", code, prev, c.ID)
			}
			codes[code] = c.ID
		}
		for _, h := range c.Portal.Hosts {
			if prev, ok := hosts[h]; ok {
				t.Errorf("host %s belongs to both %s and %s", h, prev, c.ID)
			}
			hosts[h] = c.ID
		}
		if prev, ok := ibans[c.Bank.IBAN]; ok {
			t.Errorf("IBAN %s is the account of both %s and %s", c.Bank.IBAN, prev, c.ID)
		}
		ibans[c.Bank.IBAN] = c.ID

		if !strings.HasPrefix(c.Name, "Gemeente ") {
			t.Errorf("%s: name %q does not start with \"Gemeente \"", c.ID, c.Name)
		}
		if c.Bank.AccountName != c.Name {
			t.Errorf("%s: bank.account_name %q is not the gemeente's name %q", c.ID, c.Bank.AccountName, c.Name)
		}
		if !strings.Contains(string(l.Logo), "<svg") {
			t.Errorf("%s: logo was not read", c.ID)
		}
		if c.Hosting.TierOrDefault() == TierSilo {
			silos++
			if !slices.Contains(c.ExampleValues, "hosting.tier") {
				t.Errorf("%s: runs on a silo, but example_values does not mark hosting.tier as an example", c.ID)
			}
		}
	}
	if silos > 2 {
		t.Errorf("%d gemeenten run on a silo, want at most 2: the rest share the pods", silos)
	}

	// The first three gemeenten keep their CBS codes (CBS, Gemeentelijke indeling).
	for id, want := range map[tenant.ID]string{"zwolle": "0193", "enschede": "0153", "deventer": "0150"} {
		c, ok := byID[id]
		if !ok {
			t.Errorf("tenant %s is missing", id)
			continue
		}
		if !slices.Equal(c.CBSCodes, []string{want}) {
			t.Errorf("%s: cbs_codes = %v, want [%s]", id, c.CBSCodes, want)
		}
	}
}
