package residents

import (
	"context"
	"errors"
	"fmt"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/tenant"
)

// Lookup is what other services may ask of the residents, each through the small
// interface it declares itself (income's Households and ResidentMatcher, debts'
// ResidentFinder, paymentplans' Households): a resident's household for the engine,
// and the case a BSN belongs to. An unknown resident or BSN is an error that wraps
// both ErrNotFound and NotFound, the asking service's own sentinel, so that it maps
// the error as it maps its own.
type Lookup struct {
	Service  Service
	NotFound error
}

// notFound adds l.NotFound to an unknown resident's error.
func (l Lookup) notFound(err error) error {
	if l.NotFound != nil && errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", l.NotFound, err)
	}
	return err
}

// Household is the engine's input of the resident's case.
func (l Lookup) Household(ctx context.Context, t tenant.ID, id string) (bijstand.Household, error) {
	h, err := l.Service.Household(ctx, t, id)
	return h, l.notFound(err)
}

// HouseholdAsOf is the engine's input of the resident's case with the vrijlating
// counters in force at the start of period.
func (l Lookup) HouseholdAsOf(ctx context.Context, t tenant.ID, id string, period bijstand.Period) (bijstand.Household, error) {
	h, err := l.Service.HouseholdAsOf(ctx, t, id, period)
	return h, l.notFound(err)
}

// MatchBSN finds the case b belongs to, for a partner's message: the resident's
// (applicant 0) or her partner's (applicant 1).
func (l Lookup) MatchBSN(ctx context.Context, t tenant.ID, b bsn.BSN) (string, int, error) {
	id, applicant, err := l.Service.MatchBSN(ctx, t, b)
	return id, applicant, l.notFound(err)
}

// FindResidentID is MatchBSN for a BSN as text, for a creditor's signal: a match that
// reads no case data and does the same work for a known and an unknown BSN (the
// signal, which records the match, is audited by the debts service, so purpose is
// not recorded here). A malformed BSN is bsn.Parse's error.
func (l Lookup) FindResidentID(ctx context.Context, t tenant.ID, bsnText, _ string) (string, int, error) {
	b, err := bsn.Parse(bsnText)
	if err != nil {
		return "", 0, err
	}
	return l.MatchBSN(ctx, t, b)
}
