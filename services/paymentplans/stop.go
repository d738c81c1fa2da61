package paymentplans

import "github.com/plein-nl/plein/platform/bijstand"

// Stoppable reports whether the plan's status allows a stop: it has not ended and
// was not rejected.
func (pl Plan) Stoppable() bool {
	return pl.Status == StatusRequested || pl.Status == StatusApproved || pl.Status == StatusActive
}

// RestsOnMandateOf reports whether the plan is residentID's own and rests on her
// mandate (on_behalf): the only plans she may stop herself, since her mandate is
// revocable at any time; a beslag or verrekening is not hers to stop.
func (pl Plan) RestsOnMandateOf(residentID string) bool {
	return residentID != "" && pl.ResidentID == residentID && pl.Kind == bijstand.DeductOnBehalf
}

// StoppableByResident reports whether residentID may stop the plan herself: the one
// rule that Stop enforces and the portal shows.
func (pl Plan) StoppableByResident(residentID string) bool {
	return pl.RestsOnMandateOf(residentID) && pl.Stoppable()
}
