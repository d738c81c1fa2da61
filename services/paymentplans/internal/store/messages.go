package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Message is a row of outbound_messages.
type Message struct {
	ID, CreditorID, PlanID, Kind string
	Payload                      []byte
	CreatedAt                    time.Time
	DeliveredAt                  *time.Time
	Attempts                     int
}

// InsertMessage stores a message to a creditor (its ID, CreditorID, PlanID, Kind,
// Payload and CreatedAt).
func (st *Store) InsertMessage(ctx context.Context, m Message) error {
	if _, err := st.tx.Exec(ctx, `
		INSERT INTO outbound_messages (tenant_id, id, creditor_id, plan_id, kind, payload, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(st.tenant), m.ID, m.CreditorID, m.PlanID, m.Kind, m.Payload, m.CreatedAt); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// Messages reads at most limit messages to a creditor created at or after since, oldest
// first.
func (st *Store) Messages(ctx context.Context, creditorID string, since time.Time, limit int) ([]Message, error) {
	rows, err := st.tx.Query(ctx, `
		SELECT id, creditor_id, plan_id, kind, payload, created_at, delivered_at, attempts
		FROM outbound_messages
		WHERE tenant_id = $1 AND creditor_id = $2 AND created_at >= $3
		ORDER BY created_at, seq LIMIT $4`, string(st.tenant), creditorID, since, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.ID, &m.CreditorID, &m.PlanID, &m.Kind, &m.Payload, &m.CreatedAt, &m.DeliveredAt, &m.Attempts)
		return m, err
	})
}

// Message reads the creditor, payload and delivery of message id; found is false when
// there is no such message (gone with its plan).
func (st *Store) Message(ctx context.Context, id string) (m Message, found bool, err error) {
	m.ID = id
	err = st.tx.QueryRow(ctx, `SELECT creditor_id, payload, delivered_at FROM outbound_messages WHERE tenant_id = $1 AND id = $2`,
		string(st.tenant), id).Scan(&m.CreditorID, &m.Payload, &m.DeliveredAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, fmt.Errorf("read message: %w", err)
	}
	return m, true, nil
}

// MarkDelivered records the attempt that delivered message id at at.
func (st *Store) MarkDelivered(ctx context.Context, id string, at time.Time) error {
	if _, err := st.tx.Exec(ctx, `
		UPDATE outbound_messages SET delivered_at = $3, attempts = attempts + 1, last_error = ''
		WHERE tenant_id = $1 AND id = $2`, string(st.tenant), id, at); err != nil {
		return fmt.Errorf("mark delivered: %w", err)
	}
	return nil
}

// CountFailure records a failed attempt to deliver message id, and why.
func (st *Store) CountFailure(ctx context.Context, id, why string) error {
	_, err := st.tx.Exec(ctx, `UPDATE outbound_messages SET attempts = attempts + 1, last_error = $3 WHERE tenant_id = $1 AND id = $2`,
		string(st.tenant), id, why)
	return err
}
