// Package observe is how Plein is watched in production: structured logs that carry
// the tenant and request id and never a BSN or IBAN, Prometheus metrics on an injected
// registry (never the global one), HTTP and go-kit endpoint instrumentation, and the
// liveness and readiness probes of the admin port.
//
// Nothing in this package is global: the composition root creates one logger with
// NewLogger, one registry with NewRegistry, one Metrics and one Health, and hands them
// to the services that need them.
//
// # Route and tenant labels
//
// The HTTP middleware (Metrics.InstrumentHTTP and LogRequests) wraps the ServeMux, but
// the route pattern and the tenant are only known inside it: the mux matches the
// pattern, and tenant middleware routed by that mux puts the tenant on a derived
// request that the outer middleware never sees. So the outermost middleware stores a
// small mutable record in the request context, and after the inner handler returns it
// reads the labels from that record:
//
//   - route: the last value given to SetRoute, else the Pattern the ServeMux set on
//     the request the middleware passed inward (a ServeMux sets Pattern on the very
//     request it is handed), else UnmatchedRoute. Only registered patterns reach the
//     label, never a raw path, so its cardinality is bounded by the routes of the mux.
//   - tenant: the last value given to SetTenant, else the tenant in the context the
//     middleware itself was called with, else NoTenant.
//
// Code deeper in the chain reports with SetRoute and SetTenant, or is simply wrapped
// in Report, which does both from the request it sees. Report is needed inside tenant
// middleware that runs within a route, and behind anything that copies the request
// before an inner mux matches it (http.StripPrefix): a mux nested directly is handed
// the same request and overwrites Pattern with its own, more specific one.
package observe
