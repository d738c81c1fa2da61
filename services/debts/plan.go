package debts

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/tenant"
)

const selectPlan = `
	SELECT resident_id, first_conversation, deadline, situation, goals, actions, status, decided_at,
	       coalesce(decided_by, ''), created_at, updated_at
	FROM debt_plans`

func scanPlan(row pgx.Row) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ResidentID, &p.FirstConversation, &p.Deadline, &p.Situation, &p.Goals, &p.Actions, &p.Status,
		&p.DecidedAt, &p.DecidedBy, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Plan{}, ErrNotFound
	}
	return p, err
}

func (s *service) SavePlan(ctx context.Context, t tenant.ID, residentID string, np NewPlan) (Plan, error) {
	now := s.cfg.Now()
	v := &validator{}
	p := Plan{
		ResidentID:        residentID,
		FirstConversation: v.day("first_conversation", np.FirstConversation, s.dateIn(now)),
		Situation:         v.text("situation", np.Situation, maxPlanText, np.Decide),
		Goals:             v.text("goals", np.Goals, maxPlanText, np.Decide),
		Actions:           v.text("actions", np.Actions, maxPlanText, np.Decide),
		Status:            "draft",
		CreatedAt:         now.UTC(),
		UpdatedAt:         now.UTC(),
	}
	if err := v.err(); err != nil {
		return Plan{}, err
	}
	if !validID(residentID) {
		return Plan{}, fmt.Errorf("debts: plan: %w", ErrResidentNotFound)
	}
	p.Deadline = PlanDeadline(p.FirstConversation)
	if np.Decide {
		at := now.UTC()
		p.Status, p.DecidedAt, p.DecidedBy = "decided", &at, authz.PrincipalFrom(ctx).Subject
		if p.DecidedBy == "" {
			return Plan{}, authz.ErrUnauthenticated // a decision has someone who took it
		}
	}
	err := s.in(ctx, t, func(ctx context.Context, tx pgx.Tx) error {
		cur, err := scanPlan(tx.QueryRow(ctx, selectPlan+" WHERE resident_id = $1 FOR UPDATE", residentID))
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case cur.Status == "decided":
			return fmt.Errorf("%w: the plan van aanpak was decided on %s and is final", ErrConflict,
				cur.DecidedAt.In(s.cfg.Location).Format("2006-01-02"))
		default:
			p.CreatedAt = cur.CreatedAt
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO debt_plans (tenant_id, resident_id, first_conversation, deadline, situation, goals, actions, status,
				decided_at, decided_by, created_at, updated_at)
			VALUES (current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, ''), $10, $11)
			ON CONFLICT (tenant_id, resident_id) DO UPDATE SET first_conversation = EXCLUDED.first_conversation,
				deadline = EXCLUDED.deadline, situation = EXCLUDED.situation, goals = EXCLUDED.goals, actions = EXCLUDED.actions,
				status = EXCLUDED.status, decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by,
				updated_at = EXCLUDED.updated_at`,
			residentID, p.FirstConversation, p.Deadline, p.Situation, p.Goals, p.Actions, p.Status, p.DecidedAt,
			p.DecidedBy, p.CreatedAt, p.UpdatedAt)
		if err != nil {
			return mapError(err)
		}
		if p.Status != "decided" {
			return nil
		}
		// The decision ends the resident's requests' wait in the queue.
		_, err = tx.Exec(ctx, `UPDATE schuldhulp_requests SET status = 'closed', updated_at = $2
			WHERE resident_id = $1 AND status = 'contacted'`, residentID, now.UTC())
		return err
	})
	if err != nil {
		return Plan{}, fmt.Errorf("debts: plan: %w", err)
	}
	return p, nil
}

func (s *service) Plan(ctx context.Context, t tenant.ID, residentID, purpose string) (Plan, error) {
	return audited(ctx, s, t, residentID, purpose, "debt.plan.read", "plan", func(ctx context.Context, tx pgx.Tx) (Plan, error) {
		return scanPlan(tx.QueryRow(ctx, selectPlan+" WHERE resident_id = $1", residentID))
	})
}
