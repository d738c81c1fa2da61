package observe

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/tenant"
)

// Failure returns the failure of an endpoint call: err if it is not nil, else the
// business failure of a response that implements endpoint.Failer, else nil. A "not
// found" travels in the response, not in err, so both must be checked.
func Failure(response any, err error) error {
	if err != nil {
		return err
	}
	if f, ok := response.(endpoint.Failer); ok {
		return f.Failed()
	}
	return nil
}

// InstrumentEndpoint returns go-kit middleware that times every call of the endpoint
// in plein_endpoint_duration_seconds{service,method,tenant,success}. success is "false"
// when the endpoint returns an error, when its response reports a failure through
// endpoint.Failer, and when it panics.
func (m *Metrics) InstrumentEndpoint(service, method string) endpoint.Middleware {
	obs := m.endpointDuration.MustCurryWith(prometheus.Labels{"service": service, "method": method})
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (response any, err error) {
			start := time.Now()
			panicked := true
			defer func() {
				id, _ := tenant.FromContext(ctx)
				ok := !panicked && Failure(response, err) == nil
				obs.WithLabelValues(tenantLabel(id), strconv.FormatBool(ok)).Observe(time.Since(start).Seconds())
			}()
			response, err = next(ctx, request)
			panicked = false
			return response, err
		}
	}
}

// LoggingEndpoint returns go-kit middleware that logs a failed call of the endpoint
// named method, once, with its reason: at Error for an error, at Warn for a business
// failure reported through endpoint.Failer. Successful calls are left to the request
// log. The logger adds tenant and request id from the context.
func LoggingEndpoint(logger *slog.Logger, method string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, request any) (any, error) {
			start := time.Now()
			response, err := next(ctx, request)
			level := slog.LevelError
			failure := err
			if failure == nil {
				if failure = Failure(response, nil); failure == nil {
					return response, err
				}
				level = slog.LevelWarn
			}
			logger.LogAttrs(ctx, level, "endpoint failed",
				slog.String("endpoint", method),
				slog.Bool("business", err == nil),
				slog.Any("error", failure),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			)
			return response, err
		}
	}
}
