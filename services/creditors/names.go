package creditors

import (
	"context"
	"errors"
	"fmt"

	"github.com/plein-nl/plein/platform/tenant"
)

// Names gives another service the names the creditor register shows (debts'
// Creditors). An unknown creditor is an error that wraps both ErrNotFound and
// NotFound, the asking service's own sentinel.
type Names struct {
	Service  Service
	NotFound error
}

// CreditorName is the display name of creditor id.
func (n Names) CreditorName(ctx context.Context, t tenant.ID, id string) (string, error) {
	c, err := n.Service.Get(ctx, t, id)
	if err != nil {
		if n.NotFound != nil && errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("%w: %w", n.NotFound, err)
		}
		return "", err
	}
	return c.DisplayName(), nil
}
