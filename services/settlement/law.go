package settlement

import (
	"errors"
	"fmt"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
)

// ErrStaleLaw refuses a final run of a month whose law data is stale (law.Book.Staleness:
// the month is on or after the next indexation the law file in force names, and no
// newer file is in force) when it was not acknowledged. A dry-run is never refused.
var ErrStaleLaw = errors.New("the law data of the period is stale: a final run needs an explicit acknowledgement")

// LawData is the law data a run's month was computed with, in its report: the file,
// its valid_from, when its next indexation was due, whether the month is past that
// with no newer file (stale), and for a final run of a stale month who acknowledged
// it. The dates are YYYY-MM-DD.
type LawData struct {
	File              string `json:"file"`
	ValidFrom         string `json:"valid_from"`
	NextIndexationDue string `json:"next_indexation_due"`
	Stale             bool   `json:"stale"`
	AcknowledgedBy    string `json:"acknowledged_by,omitempty"`
}

// lawData is the law data of period, as a run's report records it. A period before
// the first law file names no file.
func (s *Service) lawData(period bijstand.Period) LawData {
	stale, due, file := s.cfg.Law.Staleness(period.First())
	d := LawData{File: file, Stale: stale}
	if p, err := s.cfg.Law.At(period.First()); err == nil {
		d.ValidFrom, d.NextIndexationDue = p.ValidFrom.Format(time.DateOnly), due.Format(time.DateOnly)
	}
	return d
}

// runLaw is the law data of run r's month, with who acknowledged it when stale.
func (s *Service) runLaw(r Run) LawData {
	d := s.lawData(r.Period)
	d.AcknowledgedBy = r.StaleLawAcknowledgedBy
	return d
}

// checkStaleLaw refuses a final run of period on stale law data unless acknowledged:
// the error names the law file, the date its next indexation was due, and how to
// acknowledge.
func (s *Service) checkStaleLaw(period bijstand.Period, acknowledged bool) error {
	if acknowledged {
		return nil
	}
	if d := s.lawData(period); d.Stale {
		return fmt.Errorf("%w: %s would be settled with platform/law/%s (valid from %s), whose next indexation was due on %s, "+
			"and no newer law file is in force; settle it as final anyway with plein settle --acknowledge-stale-law "+
			"(API: \"acknowledge_stale_law\": true), or add the new law file first", ErrStaleLaw, period, d.File, d.ValidFrom, d.NextIndexationDue)
	}
	return nil
}
