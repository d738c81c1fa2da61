package paymentplans

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/egress"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans/internal/store"
)

// MessageKind is what a message tells a creditor about a plan.
type MessageKind string

// Message kinds.
const (
	MessageStart  MessageKind = "start"
	MessageChange MessageKind = "change"
	MessageStop   MessageKind = "stop"
)

// Message is a message to a creditor. Payload is the JSON the creditor receives
// (MessagePayload).
type Message struct {
	ID          string
	CreditorID  string
	PlanID      string
	Kind        MessageKind
	Payload     json.RawMessage
	CreatedAt   time.Time
	DeliveredAt *time.Time
	Attempts    int
}

// MessagePayload is what a creditor is told: data minimised to what it needs to
// book the payments — no BSN, no name, no address; the reference it knows the
// resident by, the amount and the months.
type MessagePayload struct {
	MessageID   string      `json:"message_id"`
	Kind        MessageKind `json:"kind"`
	Gemeente    string      `json:"gemeente"`
	CreditorID  string      `json:"creditor_id"`
	PlanID      string      `json:"plan_id"`
	Reference   string      `json:"reference"`
	AmountCents int64       `json:"amount_cents"`
	Currency    string      `json:"currency"`
	StartPeriod string      `json:"start_period"`
	EndPeriod   string      `json:"end_period,omitempty"` // "" until stopped
	CreatedAt   string      `json:"created_at"`
}

// message stores a message to the plan's creditor and, when the creditor has a
// webhook and the service a job client, enqueues its delivery in the same
// transaction.
func (s *service) message(ctx context.Context, st *unit, p Plan, kind MessageKind) error {
	id := uuid.New()
	now := s.cfg.Now().UTC()
	pl := MessagePayload{MessageID: id, Kind: kind, Gemeente: string(st.tenant), CreditorID: p.CreditorID, PlanID: p.ID,
		Reference: p.Reference, AmountCents: int64(p.Amount), Currency: "EUR", StartPeriod: p.Start.String(),
		CreatedAt: now.Format(time.RFC3339)}
	if p.End != nil {
		pl.EndPeriod = p.End.String()
	}
	body, err := json.Marshal(pl)
	if err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if err := st.st.InsertMessage(ctx, store.Message{ID: id, CreditorID: p.CreditorID, PlanID: p.ID, Kind: string(kind),
		Payload: body, CreatedAt: now}); err != nil {
		return err
	}
	if s.cfg.Jobs == nil {
		return nil
	}
	c, err := s.cfg.Creditors.Get(ctx, st.tenant, p.CreditorID)
	if err != nil {
		return fmt.Errorf("message: creditor: %w", err)
	}
	if c.WebhookURL == "" {
		return nil
	}
	return jobs.InsertTx(ctx, s.cfg.Jobs, st.tx, DeliverArgs{TenantArgs: jobs.TenantArgs{Tenant: st.tenant}, MessageID: id}, nil)
}

// maxExport is the most messages one export returns; export again from the last
// one's created_at for more.
const maxExport = 10000

func (s *service) Export(ctx context.Context, t tenant.ID, creditorID string, since time.Time) ([]Message, error) {
	if _, err := s.cfg.Creditors.Get(ctx, t, creditorID); err != nil {
		if errors.Is(err, creditors.ErrNotFound) {
			return nil, fmt.Errorf("paymentplans: export: %w", ErrCreditorNotFound)
		}
		return nil, fmt.Errorf("paymentplans: export: %w", err)
	}
	return query(ctx, s, t, "export", func(ctx context.Context, st *unit) ([]Message, error) {
		rows, err := st.st.Messages(ctx, creditorID, since, maxExport)
		if err != nil {
			return nil, err
		}
		out := make([]Message, len(rows))
		for i, m := range rows {
			out[i] = Message{ID: m.ID, CreditorID: m.CreditorID, PlanID: m.PlanID, Kind: MessageKind(m.Kind),
				Payload: m.Payload, CreatedAt: m.CreatedAt, DeliveredAt: m.DeliveredAt, Attempts: m.Attempts}
		}
		return out, nil
	})
}

// DeliverArgs is the job that POSTs one message to its creditor's webhook.
type DeliverArgs struct {
	jobs.TenantArgs
	MessageID string `json:"message_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "paymentplans.deliver" }

// InsertOpts puts the job on the notifications queue; River retries a failed
// delivery with its backoff, up to 12 attempts (about a day and a half).
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueNotifications, MaxAttempts: 12}
}

// WorkerConfig wires the delivery worker.
type WorkerConfig struct {
	// App is the application pool (plein_app).
	App *pgxpool.Pool
	// Creditors gives the webhook URL.
	Creditors Creditors
	// HTTP posts the messages. It must be an egress.NewClient, which refuses internal
	// addresses when it connects and never follows a redirect: the URL is whatever a
	// tenant registered. nil means egress.NewClient with no host allowed.
	HTTP *http.Client
	// Signals raises the schuldhulp signals of the shortfall job (debts.Service);
	// nil: the shortfall job is not worked here.
	Signals Signals
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// AddWorkers registers the package's workers: the webhook delivery and, with
// Signals, the shortfalls of a final settlement run.
func AddWorkers(w *river.Workers, cfg WorkerConfig) {
	if cfg.HTTP == nil {
		cfg.HTTP = egress.NewClient(egress.Config{})
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	river.AddWorker(w, jobs.NewTenantWorker(cfg.App, (&deliverer{cfg: cfg}).work))
	if cfg.Signals != nil {
		river.AddWorker(w, jobs.NewTenantWorker(cfg.App, (&shortfallWorker{signals: cfg.Signals, now: cfg.Now}).work))
	}
}

type deliverer struct{ cfg WorkerConfig }

// work delivers one message. It runs in the job's tenant transaction, which also
// completes the job: delivered_at and the job's completion commit together. A
// failed attempt is counted in a transaction of its own (the job's rolls back),
// and the error makes River retry. The message row is not locked: River runs a job
// once at a time, and a lock would block the attempt's own count.
func (d *deliverer) work(ctx context.Context, tx pgx.Tx, job *river.Job[DeliverArgs]) error {
	t := job.Args.Tenant
	st := store.New(tx, t)
	m, found, err := st.Message(ctx, job.Args.MessageID)
	if err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	if !found || m.DeliveredAt != nil {
		return nil // gone with its plan, or delivered by an earlier attempt
	}
	c, err := d.cfg.Creditors.Get(ctx, t, m.CreditorID)
	if errors.Is(err, creditors.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("deliver: creditor: %w", err)
	}
	if c.WebhookURL == "" {
		return nil // the webhook was removed: the message stays for export
	}
	if err := d.post(ctx, c.WebhookURL, job.Args.MessageID, m.Payload); err != nil {
		if rerr := d.countFailure(ctx, t, job.Args.MessageID, err); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	if err := st.MarkDelivered(ctx, job.Args.MessageID, d.cfg.Now().UTC()); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	return nil
}

func (d *deliverer) post(ctx context.Context, url, id string, payload []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	// The creditor drops a message it has seen: a retry after a lost answer
	// delivers the same id again.
	req.Header.Set("Idempotency-Key", id)
	resp, err := d.cfg.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("deliver: post: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("deliver: webhook answered %d", resp.StatusCode)
	}
	return nil
}

func (d *deliverer) countFailure(ctx context.Context, t tenant.ID, id string, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = strings.ToValidUTF8(msg[:500], "")
	}
	return db.InTenant(tenant.WithID(context.WithoutCancel(ctx), t), d.cfg.App, func(ctx context.Context, tx pgx.Tx) error {
		return store.New(tx, t).CountFailure(ctx, id, msg)
	})
}
