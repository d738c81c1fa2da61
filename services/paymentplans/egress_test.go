package paymentplans

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/egress"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
)

// testRoots trusts the certificate of the httptest TLS servers (one for them all).
func testRoots(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

// webhookCreditor registers a woningcorporatie of tenant tn with a webhook on a
// public name, through the creditors service.
func (b *testBundle) webhookCreditor(t *testing.T, tn tenant.ID, name string) creditors.Creditor {
	t.Helper()
	c, err := b.cred.Create(as(consulentEnschede), tn, creditors.NewCreditor{Name: name, Kind: "woningcorporatie",
		IBAN: "NL91ABNA0417164300", Example: true, ReferenceName: "contractnummer", ReferencePattern: "[0-9]{8}",
		ReferenceHint: "Uw contractnummer staat op uw huurcontract.", WebhookURL: "https://hooks.example.com/plein"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setWebhook points a creditor's webhook at url, writing the row as the owner. The
// creditors service refuses a loopback webhook, and the test servers are on
// loopback: this is a webhook stored before that check, or one whose name resolves
// to loopback by the time of delivery. Either way the delivery client is what stands.
func (b *testBundle) setWebhook(t *testing.T, tn tenant.ID, creditorID, url string) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), tn), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE creditors SET webhook_url = $2 WHERE tenant_id = $3 AND id = $1`, creditorID, url, string(tn))
		if err == nil && tag.RowsAffected() != 1 {
			err = fmt.Errorf("%d creditors updated, want 1", tag.RowsAffected())
		}
		return err
	})
	if err != nil {
		t.Fatalf("set webhook: %v", err)
	}
}

// deliver runs one delivery attempt of a message as the worker does (jobs.TenantWorker):
// in a transaction of the job's tenant, rolled back when the attempt fails. It returns
// the attempt's error itself, which River would only keep as text.
func (b *testBundle) deliver(t *testing.T, tn tenant.ID, hc *http.Client, messageID string) error {
	t.Helper()
	d := &deliverer{cfg: WorkerConfig{App: b.d.App, Creditors: b.cred, HTTP: hc, Now: b.clock.Now}}
	job := &river.Job[DeliverArgs]{JobRow: &rivertype.JobRow{Kind: DeliverArgs{}.Kind()},
		Args: DeliverArgs{TenantArgs: jobs.TenantArgs{Tenant: tn}, MessageID: messageID}}
	return db.InTenant(tenant.WithID(context.Background(), tn), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		return d.work(ctx, tx, job)
	})
}

// counting counts the requests a handler gets.
type counting struct {
	n    atomic.Int32
	next http.Handler
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.next.ServeHTTP(w, r)
}

// TestDeliveryThroughEgress: the delivery posts with the client it is given, and the
// egress client refuses a webhook on loopback (the finding: loopback or the metadata
// address as a webhook) and never follows a redirect (the finding: https → plain http,
// re-posting the message). The last case is the control: the same setup delivers
// when the address is allowed.
func TestDeliveryThroughEgress(t *testing.T) {
	t.Parallel()
	b := setup(t)
	webhook := &hook{status: http.StatusAccepted}
	hookSrv := httptest.NewTLSServer(webhook)
	t.Cleanup(hookSrv.Close)
	stolen := &hook{status: http.StatusAccepted}
	stolenSrv := httptest.NewServer(stolen) // plain http
	t.Cleanup(stolenSrv.Close)
	// 307 keeps the method and the body: a client that followed it would post the
	// message to the plain-http server.
	redirector := &counting{next: http.RedirectHandler(stolenSrv.URL+"/plein", http.StatusTemporaryRedirect)}
	redirectSrv := httptest.NewTLSServer(redirector)
	t.Cleanup(redirectSrv.Close)
	addr := func(s *httptest.Server) string { return s.Listener.Addr().String() }

	domijn := b.webhookCreditor(t, enschede, "Domijn")
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
	plan := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, NewPlan{Kind: "on_behalf", CreditorID: domijn.ID,
		Reference: "12345678", AmountCents: 65000, Priority: 1, StartPeriod: "2026-04", MandateSignedOn: "2026-03-01"},
		consulentEnschede).ID)
	msgs, err := b.raw.Export(as(consulentEnschede), enschede, domijn.ID, time.Time{})
	if err != nil || len(msgs) != 1 || msgs[0].PlanID != plan.ID {
		t.Fatalf("messages to Domijn: %+v, %v; want the start of %s", msgs, err, plan.ID)
	}
	msgID := msgs[0].ID

	tests := []struct {
		name      string
		webhook   string
		allow     []string
		wantErr   error // nil: delivered
		wantInErr string
	}{
		{"webhook on 127.0.0.1, not allowed", hookSrv.URL + "/plein", nil, egress.ErrForbiddenAddress, "loopback"},
		{"webhook on 127.0.0.1, another port allowed", hookSrv.URL + "/plein", []string{"127.0.0.1:1"}, egress.ErrForbiddenAddress, "loopback"},
		{"https webhook redirecting to plain http", redirectSrv.URL + "/plein", []string{addr(redirectSrv), addr(stolenSrv)},
			egress.ErrRedirect, "redirect refused"},
		{"webhook on 127.0.0.1, allowed (control)", hookSrv.URL + "/plein", []string{addr(hookSrv)}, nil, ""},
	}
	for i, tt := range tests {
		// In order, on the one message: each failed attempt is counted, and the
		// control, last, delivers it.
		b.setWebhook(t, enschede, domijn.ID, tt.webhook)
		hc := egress.NewClient(egress.Config{Allow: tt.allow, RootCAs: testRoots(hookSrv)})
		err := b.deliver(t, enschede, hc, msgID)
		webhook.mu.Lock()
		got := len(webhook.got)
		first := MessagePayload{}
		if got > 0 {
			first = webhook.got[0]
		}
		webhook.mu.Unlock()
		var lastError string
		var attempts int
		qerr := db.InTenant(tenant.WithID(context.Background(), enschede), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT attempts, last_error FROM outbound_messages WHERE tenant_id = $1 AND id = $2`,
				string(enschede), msgID).Scan(&attempts, &lastError)
		})
		if qerr != nil {
			t.Fatal(qerr)
		}
		if attempts != i+1 {
			t.Errorf("%s: %d attempts counted, want %d", tt.name, attempts, i+1)
		}
		if tt.wantErr == nil {
			if err != nil || got != 1 || first.MessageID != msgID {
				t.Errorf("%s: got error %v and %d messages at the webhook; want %s delivered", tt.name, err, got, msgID)
			}
			continue
		}
		if !errors.Is(err, tt.wantErr) || !strings.Contains(fmt.Sprint(err), tt.wantInErr) {
			t.Errorf("%s: got error %v, want one wrapping %v that says %q", tt.name, err, tt.wantErr, tt.wantInErr)
		}
		if !strings.Contains(lastError, tt.wantInErr) {
			t.Errorf("%s: last_error %q, want it to say %q", tt.name, lastError, tt.wantInErr)
		}
		if got != 0 {
			t.Errorf("%s: the loopback webhook received %d messages, want none", tt.name, got)
		}
	}
	if n := redirector.n.Load(); n != 1 {
		t.Errorf("the redirecting webhook got %d posts, want 1", n)
	}
	stolen.mu.Lock()
	defer stolen.mu.Unlock()
	if len(stolen.got) != 0 {
		t.Errorf("the redirect target received %d messages, want none", len(stolen.got))
	}
}
