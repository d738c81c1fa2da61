package observe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

// secret is a LogValuer that resolves to a BSN, to check that values are resolved
// before they are inspected.
type secret struct{ bsn string }

func (s secret) LogValue() slog.Value { return slog.StringValue("bsn " + s.bsn) }

// resident is a plain struct, rendered as JSON by the handler.
type resident struct {
	Name string
	BSN  string
}

// logLine logs through a fresh logger and returns the one JSON line as a map.
func logLine(t *testing.T, ctx context.Context, log func(ctx context.Context, l *slog.Logger)) (map[string]any, string) {
	t.Helper()
	var buf bytes.Buffer
	log(ctx, observe.NewLogger(&buf, slog.LevelDebug))
	return oneJSONLine(t, buf.String())
}

// oneJSONLine checks that raw is one line of JSON, and returns it as a map.
func oneJSONLine(t *testing.T, raw string) (map[string]any, string) {
	t.Helper()
	if n := strings.Count(raw, "\n"); n != 1 {
		t.Fatalf("got %d lines, want 1: %s", n, raw)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("line is not JSON: %v: %s", err, raw)
	}
	return m, raw
}

func TestLoggerAddsTenantAndRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		ctx           context.Context
		log           func(ctx context.Context, l *slog.Logger)
		wantTenant    any
		wantRequestID any
	}{
		{
			name: "both",
			ctx:  observe.WithRequestID(tenant.WithID(context.Background(), "enschede"), "req-1"),
			log: func(ctx context.Context, l *slog.Logger) {
				l.InfoContext(ctx, "hallo")
			},
			wantTenant: "enschede", wantRequestID: "req-1",
		},
		{
			name: "top level inside groups",
			ctx:  observe.WithRequestID(tenant.WithID(context.Background(), "almelo"), "req-2"),
			log: func(ctx context.Context, l *slog.Logger) {
				l.WithGroup("a").With("x", 1).WithGroup("b").InfoContext(ctx, "hallo", "y", 2)
			},
			wantTenant: "almelo", wantRequestID: "req-2",
		},
		{
			name: "none",
			ctx:  context.Background(),
			log: func(ctx context.Context, l *slog.Logger) {
				l.InfoContext(ctx, "hallo")
			},
			wantTenant: nil, wantRequestID: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, raw := logLine(t, tt.ctx, tt.log)
			if got := m["tenant"]; got != tt.wantTenant {
				t.Errorf("tenant = %v, want %v in %s", got, tt.wantTenant, raw)
			}
			if got := m["request_id"]; got != tt.wantRequestID {
				t.Errorf("request_id = %v, want %v in %s", got, tt.wantRequestID, raw)
			}
		})
	}
}

// maskCase logs one record that holds a BSN or an IBAN somewhere; the line must
// contain want (JSON, NewLogger) or wantText (NewTextLogger) and no personal number.
type maskCase struct {
	name     string
	log      func(ctx context.Context, l *slog.Logger)
	want     string // a fragment the JSON line must contain
	wantText string // a fragment the text line must contain
}

var maskCases = []maskCase{
	{"message", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "bsn 999993653 en iban NL91ABNA0417164300")
	}, `"msg":"bsn [bsn] en iban [iban]"`, `INFO  bsn [bsn] en iban [iban]  tenant=enschede`},
	{"string attr", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "bsn", "111222333")
	}, `"bsn":"[bsn]"`, ` bsn=[bsn]`},
	{"attr key", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "999993653", "x")
	}, `"[bsn]":"x"`, ` [bsn]=x`},
	{"group attr", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", slog.Group("resident", slog.String("iban", "NL91ABNA0417164300")))
	}, `"resident":{"iban":"[iban]"}`, ` resident.iban=[iban]`},
	{"nested group", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", slog.Group("a", slog.Group("b", "bsn", "999993653")))
	}, `"a":{"b":{"bsn":"[bsn]"}}`, ` a.b.bsn=[bsn]`},
	{"error", func(ctx context.Context, l *slog.Logger) {
		err := fmt.Errorf("load: %w", errors.New("resident 999993653 not found"))
		l.ErrorContext(ctx, "m", "error", err)
	}, `"error":"load: resident [bsn] not found"`, ` error="load: resident [bsn] not found"`},
	{"LogValuer", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "who", secret{"999993653"})
	}, `"who":"bsn [bsn]"`, ` who="bsn [bsn]"`},
	{"LogValuer in group", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", slog.Group("g", "who", secret{"111222333"}))
	}, `"g":{"who":"bsn [bsn]"}`, ` g.who="bsn [bsn]"`},
	{"struct", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "r", resident{Name: "Jan", BSN: "999993653"})
	}, `"r":"{\"Name\":\"Jan\",\"BSN\":\"[bsn]\"}"`, ` r="{\"Name\":\"Jan\",\"BSN\":\"[bsn]\"}"`},
	{"With", func(ctx context.Context, l *slog.Logger) {
		l.With("iban", "NL91ABNA0417164300").InfoContext(ctx, "m")
	}, `"iban":"[iban]"`, ` iban=[iban]`},
	{"With inside group", func(ctx context.Context, l *slog.Logger) {
		l.WithGroup("g").With("bsn", "999993653").InfoContext(ctx, "m", "k", "v")
	}, `"g":{"bsn":"[bsn]","k":"v"}`, ` g.bsn=[bsn] g.k=v`},
	{"WithGroup attrs", func(ctx context.Context, l *slog.Logger) {
		l.WithGroup("g").InfoContext(ctx, "m", "bsn", "999993653")
	}, `"g":{"bsn":"[bsn]"}`, ` g.bsn=[bsn]`},
	{"fails 11-proef kept", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "n", "123456789")
	}, `"n":"123456789"`, ` n=123456789`},
	{"integer kept", func(ctx context.Context, l *slog.Logger) {
		l.InfoContext(ctx, "m", "cents", 999993653)
	}, `"cents":999993653`, ` cents=999993653`},
}

// leaks are the personal numbers of maskCases, none of which may appear in a line.
var leaks = []string{"999993653", "111222333", "NL91ABNA0417164300"}

// TestLoggersMaskBSNAndIBAN runs maskCases through both formats: the text format masks
// exactly what the JSON format masks.
func TestLoggersMaskBSNAndIBAN(t *testing.T) {
	t.Parallel()
	ctx := tenant.WithID(context.Background(), "enschede")
	jsonLine := func(t *testing.T, ctx context.Context, log func(ctx context.Context, l *slog.Logger)) string {
		t.Helper()
		_, raw := logLine(t, ctx, log)
		return raw
	}
	for _, format := range []struct {
		name string
		line func(t *testing.T, ctx context.Context, log func(ctx context.Context, l *slog.Logger)) string
		want func(maskCase) string
	}{
		{"json", jsonLine, func(c maskCase) string { return c.want }},
		{"text", textLine, func(c maskCase) string { return c.wantText }},
	} {
		for _, tt := range maskCases {
			t.Run(format.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				raw := format.line(t, ctx, tt.log)
				if want := format.want(tt); !strings.Contains(raw, want) {
					t.Errorf("got line %q, want it to contain %q", raw, want)
				}
				if tt.name != "integer kept" {
					for _, leak := range leaks {
						if strings.Contains(raw, leak) {
							t.Errorf("got line %q, want no %s in it", raw, leak)
						}
					}
				}
			})
		}
	}
}

func TestLoggerGroupsKeepShape(t *testing.T) {
	t.Parallel()
	ctx := observe.WithRequestID(tenant.WithID(context.Background(), "enschede"), "r1")
	var buf bytes.Buffer
	l := observe.NewLogger(&buf, slog.LevelInfo)
	l.With("top", 1).WithGroup("a").With("x", 1).WithGroup("b").With("y", 2).InfoContext(ctx, "m", "z", 3)
	l.WithGroup("empty").InfoContext(ctx, "m")
	l.DebugContext(ctx, "below level")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %s", len(lines), buf.String())
	}
	var got struct {
		Top       int    `json:"top"`
		Tenant    string `json:"tenant"`
		RequestID string `json:"request_id"`
		A         struct {
			X int `json:"x"`
			B struct {
				Y int `json:"y"`
				Z int `json:"z"`
			} `json:"b"`
		} `json:"a"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if got.Top != 1 || got.A.X != 1 || got.A.B.Y != 2 || got.A.B.Z != 3 || got.Tenant != "enschede" || got.RequestID != "r1" {
		t.Errorf("got %s, want top=1 a.x=1 a.b.y=2 a.b.z=3 tenant=enschede request_id=r1", lines[0])
	}
	if strings.Contains(lines[1], "empty") {
		t.Errorf("got %s, want an empty group left out", lines[1])
	}
}
