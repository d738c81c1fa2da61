package paymentplans

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/egress"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/services/creditors"
)

// hook is a creditor's webhook: it records what it receives and answers status.
type hook struct {
	mu     sync.Mutex
	status int
	got    []MessagePayload
	keys   []string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p MessagePayload
	_ = json.Unmarshal(body, &p)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, p)
	h.keys = append(h.keys, r.Header.Get("Idempotency-Key"))
	w.WriteHeader(h.status)
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	good, bad := &hook{status: http.StatusAccepted}, &hook{status: http.StatusInternalServerError}
	goodSrv, badSrv := httptest.NewTLSServer(good), httptest.NewTLSServer(bad)
	t.Cleanup(goodSrv.Close)
	t.Cleanup(badSrv.Close)

	var client *jobs.Client
	var events <-chan *river.Event
	b := setup(t, func(b *testBundle, o *options) {
		workers := river.NewWorkers()
		// The production client, allowed to reach the two test servers on loopback.
		hc := egress.NewClient(egress.Config{Allow: []string{goodSrv.Listener.Addr().String(), badSrv.Listener.Addr().String()},
			RootCAs: testRoots(goodSrv)})
		AddWorkers(workers, WorkerConfig{App: b.d.App, Creditors: b.cred, HTTP: hc, Now: b.clock.Now})
		var err error
		client, err = jobs.NewClient(b.d.App, jobs.Config{Workers: workers, MaxWorkers: 2})
		if err != nil {
			t.Fatal(err)
		}
		var cancel func()
		events, cancel = client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
		t.Cleanup(cancel)
		o.jobs = client
	})
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Stop(ctx)
	})

	ctx := as(consulentEnschede)
	newCreditor := func(name, url string) creditors.Creditor {
		c := b.webhookCreditor(t, enschede, name)
		b.setWebhook(t, enschede, c.ID, url)
		return c
	}
	domijn, veste := newCreditor("Domijn", goodSrv.URL+"/plein"), newCreditor("De Veste", badSrv.URL+"/plein")
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
	huur := func(creditorID string) Plan {
		np := NewPlan{Kind: "on_behalf", CreditorID: creditorID, Reference: "12345678", AmountCents: 65000, Priority: 1,
			StartPeriod: "2026-04", MandateSignedOn: "2026-03-01"}
		return b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, np, consulentEnschede).ID)
	}
	toDomijn, toVeste := huur(domijn.ID), huur(veste.ID)

	seen := map[river.EventKind]int{}
	deadline := time.After(30 * time.Second)
	for seen[river.EventKindJobCompleted] < 1 || seen[river.EventKindJobFailed] < 1 {
		select {
		case ev := <-events:
			seen[ev.Kind]++
		case <-deadline:
			t.Fatalf("job events %v within 30 s, want a completed and a failed delivery", seen)
		}
	}

	good.mu.Lock()
	if len(good.got) != 1 || good.got[0].PlanID != toDomijn.ID || good.got[0].Kind != MessageStart || good.keys[0] != good.got[0].MessageID {
		t.Errorf("Domijn received %+v with keys %v; want the start of %s keyed by its id", good.got, good.keys, toDomijn.ID)
	}
	good.mu.Unlock()
	msgs, err := b.svc.Export(ctx, enschede, domijn.ID, time.Time{})
	if err != nil || len(msgs) != 1 || msgs[0].DeliveredAt == nil || msgs[0].Attempts != 1 {
		t.Errorf("Domijn's message after delivery: %+v, %v; want delivered after 1 attempt", msgs, err)
	}
	msgs, err = b.svc.Export(ctx, enschede, veste.ID, time.Time{})
	if err != nil || len(msgs) != 1 || msgs[0].DeliveredAt != nil || msgs[0].Attempts != 1 || msgs[0].PlanID != toVeste.ID {
		t.Errorf("De Veste's message after a 500: %+v, %v; want undelivered after 1 attempt", msgs, err)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM outbound_messages WHERE last_error LIKE '%500%'"); n != 1 {
		t.Errorf("%d messages with the 500 as last error, want 1", n)
	}
	// A catalogue creditor has no webhook: its messages are for export only.
	zk := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), residentPrincipal(enschede, fatima)).ID)
	if n := b.count(t, enschede, "SELECT count(*) FROM outbound_messages WHERE plan_id = $1", zk.ID); n != 1 {
		t.Errorf("%d messages for the zorgpremie, want 1", n)
	}
	zkMsgs, err := b.raw.Export(ctx, enschede, "zilveren-kruis", time.Time{})
	if err != nil || len(zkMsgs) != 1 {
		t.Fatalf("zorgpremie messages: %v, %v", zkMsgs, err)
	}
	var jobsForZK, jobsAll int
	if err := b.d.Owner.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE args->>'message_id' = $1), count(*) FROM river.river_job WHERE kind = $2`,
		zkMsgs[0].ID, DeliverArgs{}.Kind()).Scan(&jobsForZK, &jobsAll); err != nil {
		t.Fatal(err)
	}
	if jobsAll != 2 {
		t.Errorf("%d delivery jobs in all, want 2 (Domijn, De Veste)", jobsAll)
	}
	if jobsForZK != 0 {
		t.Errorf("%d delivery jobs for a creditor without webhook, want 0", jobsForZK)
	}
}
