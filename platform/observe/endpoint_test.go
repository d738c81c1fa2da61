package observe_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

var errNotFound = errors.New("betalingsplan 999993653 niet gevonden")

// planResponse carries a business failure the go-kit way, as addsvc does.
type planResponse struct {
	Err error `json:"-"`
}

func (r planResponse) Failed() error { return r.Err }

var _ endpoint.Failer = planResponse{}

func TestFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name string
		resp any
		err  error
		want error
	}{
		{"success", planResponse{}, nil, nil},
		{"plain response", "ok", nil, nil},
		{"business failure", planResponse{Err: errNotFound}, nil, errNotFound},
		{"error wins", planResponse{Err: errNotFound}, boom, boom},
		{"error without response", nil, boom, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := observe.Failure(tt.resp, tt.err); got != tt.want {
				t.Errorf("Failure(%v, %v) = %v, want %v", tt.resp, tt.err, got, tt.want)
			}
		})
	}
}

func TestInstrumentEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		ctx         context.Context
		next        endpoint.Endpoint
		wantTenant  string
		wantSuccess string
	}{
		{"success", tenant.WithID(context.Background(), "enschede"),
			func(context.Context, any) (any, error) { return planResponse{}, nil },
			"enschede", "true"},
		{"Failer is a failure", tenant.WithID(context.Background(), "enschede"),
			func(context.Context, any) (any, error) { return planResponse{Err: errNotFound}, nil },
			"enschede", "false"},
		{"error", context.Background(),
			func(context.Context, any) (any, error) { return nil, errors.New("db down") },
			observe.NoTenant, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMetrics(t)
			ep := m.InstrumentEndpoint("paymentplans", "GetPlan")(tt.next)
			if _, err := ep(tt.ctx, nil); err != nil && tt.wantSuccess == "true" {
				t.Fatalf("endpoint: got %v, want nil", err)
			}
			want := map[string]string{"service": "paymentplans", "method": "GetPlan", "tenant": tt.wantTenant, "success": tt.wantSuccess}
			wantOneSeries(t, m.Registry(), "plein_endpoint_duration_seconds", want)
			if n := testutil.CollectAndCount(m.Registry(), "plein_endpoint_duration_seconds"); n != 1 {
				t.Errorf("series = %d, want 1", n)
			}
		})
	}
}

func TestInstrumentEndpointPanic(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	ep := m.InstrumentEndpoint("s", "m")(func(context.Context, any) (any, error) { panic("boom") })
	func() {
		defer func() {
			if recover() == nil {
				t.Error("got no panic, want the endpoint's panic to pass through")
			}
		}()
		_, _ = ep(context.Background(), nil)
	}()
	got := labelsOf(t, m.Registry(), "plein_endpoint_duration_seconds")
	if len(got) != 1 || got[0]["success"] != "false" {
		t.Errorf("labels = %v, want one series with success=false", got)
	}
}

func TestLoggingEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		next      endpoint.Endpoint
		wantLines int
		want      []string
	}{
		{"success is quiet",
			func(context.Context, any) (any, error) { return planResponse{}, nil },
			0, nil},
		{"business failure",
			func(context.Context, any) (any, error) { return planResponse{Err: errNotFound}, nil },
			1, []string{`"level":"WARN"`, `"endpoint":"GetPlan"`, `"business":true`, `"error":"betalingsplan [bsn] niet gevonden"`, `"tenant":"enschede"`, `"request_id":"r-1"`}},
		{"error",
			func(context.Context, any) (any, error) { return nil, errors.New("db down") },
			1, []string{`"level":"ERROR"`, `"business":false`, `"error":"db down"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			ep := observe.LoggingEndpoint(observe.NewLogger(&buf, slog.LevelInfo), "GetPlan")(tt.next)
			ctx := observe.WithRequestID(tenant.WithID(context.Background(), "enschede"), "r-1")
			_, _ = ep(ctx, nil)
			raw := buf.String()
			if got := strings.Count(raw, "\n"); got != tt.wantLines {
				t.Fatalf("got %d lines, want %d: %s", got, tt.wantLines, raw)
			}
			for _, w := range tt.want {
				if !strings.Contains(raw, w) {
					t.Errorf("got %s, want it to contain %s", raw, w)
				}
			}
		})
	}
}
