package controlplane

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Conditions stores tenant conditions in tenant_conditions, as plein_control.
type Conditions struct {
	control *pgxpool.Pool
}

// NewConditions returns the store writing through control (a plein_control pool).
func NewConditions(control *pgxpool.Pool) *Conditions { return &Conditions{control: control} }

// SetConditions writes a tenant's conditions. A condition whose status did not change
// keeps its last transition time; the types not in conds are removed.
func (s *Conditions) SetConditions(ctx context.Context, tenantID string, version int, conds []Condition) error {
	return pgx.BeginFunc(ctx, s.control, func(tx pgx.Tx) error {
		types := make([]string, 0, len(conds))
		for _, c := range conds {
			types = append(types, c.Type)
			_, err := tx.Exec(ctx, `
				INSERT INTO tenant_conditions (tenant_id, type, status, reason, message, observed_version)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (tenant_id, type) DO UPDATE SET
					last_transition_at = CASE WHEN tenant_conditions.status = EXCLUDED.status
						THEN tenant_conditions.last_transition_at ELSE now() END,
					status = EXCLUDED.status, reason = EXCLUDED.reason, message = EXCLUDED.message,
					observed_version = EXCLUDED.observed_version, updated_at = now()`,
				tenantID, c.Type, c.Status, c.Reason, c.Message, version)
			if err != nil {
				return fmt.Errorf("controlplane: condition %s of %s: %w", c.Type, tenantID, err)
			}
		}
		_, err := tx.Exec(ctx, "DELETE FROM tenant_conditions WHERE tenant_id = $1 AND NOT type = ANY($2)", tenantID, types)
		return err
	})
}

// StoredCondition is a condition as stored, with its times.
type StoredCondition struct {
	Condition
	ObservedVersion    int       `json:"observed_version"`
	LastTransitionTime time.Time `json:"last_transition_time"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// Get returns a tenant's conditions, ordered by type.
func (s *Conditions) Get(ctx context.Context, tenantID string) ([]StoredCondition, error) {
	rows, err := s.control.Query(ctx, `
		SELECT type, status, reason, message, observed_version, last_transition_at, updated_at
		FROM tenant_conditions WHERE tenant_id = $1 ORDER BY type`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("controlplane: conditions of %s: %w", tenantID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StoredCondition, error) {
		var c StoredCondition
		err := r.Scan(&c.Type, &c.Status, &c.Reason, &c.Message, &c.ObservedVersion, &c.LastTransitionTime, &c.UpdatedAt)
		return c, err
	})
}
