package synth

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
)

// CreditorRegister is what a caseload needs of services/creditors: the catalogue's
// creditors, and the tenant's own, made when missing.
type CreditorRegister interface {
	List(ctx context.Context, t tenant.ID) ([]creditors.Creditor, error)
	Get(ctx context.Context, t tenant.ID, id string) (creditors.Creditor, error)
	Create(ctx context.Context, t tenant.ID, nc creditors.NewCreditor) (creditors.Creditor, error)
}

// creditor is a creditor a plan pays, with the lengths of reference its pattern takes.
type creditor struct {
	creditors.Creditor
	refMin, refMax int
}

// digitsPattern is the form of the reference patterns a caseload can fill: "[0-9]{n}"
// or "[0-9]{n,m}", as every creditor of the catalogue and of the caseload has.
var digitsPattern = regexp.MustCompile(`^\[0-9\]\{(\d+)(?:,(\d+))?\}$`)

func newCreditor(c creditors.Creditor) (creditor, error) {
	m := digitsPattern.FindStringSubmatch(c.Reference.Pattern)
	if m == nil {
		return creditor{}, fmt.Errorf("creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	lo, _ := strconv.Atoi(m[1])
	hi := lo
	if m[2] != "" {
		hi, _ = strconv.Atoi(m[2])
	}
	if lo < 1 || hi < lo || hi > 35 {
		return creditor{}, fmt.Errorf("creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	return creditor{Creditor: c, refMin: lo, refMax: hi}, nil
}

// creditorSet are the creditors of a caseload's plans.
type creditorSet struct {
	zorg         []creditor
	zorgWeights  []int
	utilities    []creditor // energy and water companies of the catalogue
	corporations []creditor // the tenant's woningcorporaties
	aflossing    []creditor // who a schuldregeling of Seed pays: utilities, then corporations
	claims       creditor   // the gemeente's own, for a verrekening (Seed)
	made         []string   // the names of the creditors made for the tenant
}

// catalogue finds the creditors of the national catalogue the plans pay.
func catalogue(ctx context.Context, reg CreditorRegister, t tenant.ID) (*creditorSet, error) {
	get := func(id string) (creditor, error) {
		c, err := reg.Get(ctx, t, id)
		if err != nil {
			return creditor{}, fmt.Errorf("creditor %s of the catalogue: %w", id, err)
		}
		return newCreditor(c)
	}
	cs := &creditorSet{zorgWeights: weightsOf(zorgverzekeraars)}
	for _, z := range zorgverzekeraars {
		c, err := get(z.name)
		if err != nil {
			return nil, err
		}
		cs.zorg = append(cs.zorg, c)
	}
	for _, id := range utilities {
		c, err := get(id)
		if err != nil {
			return nil, err
		}
		cs.utilities = append(cs.utilities, c)
	}
	return cs, nil
}

// findCreditors finds the catalogue's creditors and the tenant's woningcorporaties,
// making those when missing.
func findCreditors(ctx context.Context, reg CreditorRegister, t tenant.ID) (*creditorSet, error) {
	cs, err := catalogue(ctx, reg, t)
	if err != nil {
		return nil, err
	}
	own := &ownCreditors{reg: reg, t: t}
	if own.list, err = reg.List(ctx, t); err != nil {
		return nil, err
	}
	for _, wc := range corporations {
		c, err := own.ensure(ctx, creditors.NewCreditor{Name: wc.name, Kind: string(creditors.KindWoningcorporatie),
			IBAN: NLIBAN("XMPL", wc.account), Example: true, ReferenceName: "contractnummer", ReferencePattern: "[0-9]{8}",
			ReferenceHint:   "Uw contractnummer staat op uw huurcontract en op de brief over de huurverhoging. Het heeft 8 cijfers.",
			ReferenceHintEN: "Your contract number is on your rental agreement and on the rent increase letter. It has 8 digits."})
		if err != nil {
			return nil, err
		}
		cs.corporations = append(cs.corporations, c)
	}
	cs.aflossing = append(append(cs.aflossing, cs.utilities...), cs.corporations...)
	cs.made = own.made
	return cs, nil
}

// addClaims finds or makes the gemeente's own creditor of its terugvorderingen.
func (cs *creditorSet) addClaims(ctx context.Context, reg CreditorRegister, t tenant.ID, gemeente string) error {
	own := &ownCreditors{reg: reg, t: t}
	var err error
	if own.list, err = reg.List(ctx, t); err != nil {
		return err
	}
	cs.claims, err = own.ensure(ctx, creditors.NewCreditor{Name: gemeente + " (terugvordering, voorbeeld)",
		Kind: string(creditors.KindOverig), IBAN: NLIBAN("XMPL", "0000003001"), Example: true,
		ReferenceName: "betalingskenmerk", ReferencePattern: "[0-9]{16}",
		ReferenceHint:   "Het betalingskenmerk staat op de brief van de gemeente over de terugvordering. Het heeft 16 cijfers.",
		ReferenceHintEN: "The payment reference is on the municipality's letter about the recovery. It has 16 digits."})
	cs.made = append(cs.made, own.made...)
	return err
}

// ownCreditors finds the tenant's own creditors by name, and makes the missing.
type ownCreditors struct {
	reg  CreditorRegister
	t    tenant.ID
	list []creditors.Creditor
	made []string
}

func (o *ownCreditors) find(name string) (creditors.Creditor, bool) {
	for _, c := range o.list {
		if !c.Catalogue && strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return creditors.Creditor{}, false
}

func (o *ownCreditors) ensure(ctx context.Context, nc creditors.NewCreditor) (creditor, error) {
	c, ok := o.find(nc.Name)
	if !ok {
		var err error
		c, err = o.reg.Create(ctx, o.t, nc)
		switch {
		case errors.Is(err, creditors.ErrDuplicate):
			// Made by a caseload drawn at the same time: use that one.
			if o.list, err = o.reg.List(ctx, o.t); err != nil {
				return creditor{}, err
			}
			if c, ok = o.find(nc.Name); !ok {
				return creditor{}, fmt.Errorf("creditor %q: %w", nc.Name, creditors.ErrDuplicate)
			}
		case err != nil:
			return creditor{}, fmt.Errorf("creditor %q: %w", nc.Name, err)
		default:
			o.made = append(o.made, c.Name)
		}
	}
	return newCreditor(c)
}
