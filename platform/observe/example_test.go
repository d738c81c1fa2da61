package observe_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
)

func ExampleNewHandler() {
	// NewLogger is this handler around slog.JSONHandler; the time is dropped here only
	// to keep the output stable.
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(observe.NewHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime})))

	ctx := observe.WithRequestID(tenant.WithID(context.Background(), "enschede"), "4f2a9c01d3e8b7a6")
	logger.InfoContext(ctx, "betaling klaargezet voor 999993653",
		slog.Group("creditor", slog.String("iban", "NL91ABNA0417164300")),
		slog.Int64("cents", 12345))
	// Output:
	// {"level":"INFO","msg":"betaling klaargezet voor [bsn]","tenant":"enschede","request_id":"4f2a9c01d3e8b7a6","creditor":{"iban":"[iban]"},"cents":12345}
}
