package main

import (
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/services/tenancy"
)

// envTrustedProxies lists the proxies (the Ingress controller's pod network) whose
// X-Forwarded-For names the client, as comma-separated CIDR prefixes. Without it the
// peer address is the client: behind an Ingress, set it, or every resident shares the
// Ingress's sign-in limit.
const envTrustedProxies = "PLEIN_TRUSTED_PROXIES"

// newGuards are the rate limits at the doors (platform/ratelimit), each gemeente's
// own limits (its config's rate_limits) over the defaults, with their metrics on reg.
func newGuards(reg prometheus.Registerer, dir *tenancy.Directory) (*ratelimit.Guards, error) {
	cip, err := ratelimit.ParseTrusted(os.Getenv(envTrustedProxies))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envTrustedProxies, err)
	}
	return ratelimit.NewGuards(ratelimit.GuardConfig{Registry: reg, Own: dir.RateLimits, ClientIP: cip, Now: time.Now})
}
