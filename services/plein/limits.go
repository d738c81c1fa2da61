package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/services/tenancy"
)

// newGuards are the rate limits at the doors (platform/ratelimit), each gemeente's
// own limits (its config's rate_limits) over the defaults, with their metrics on reg.
func newGuards(reg prometheus.Registerer, dir *tenancy.Directory) (*ratelimit.Guards, error) {
	cip, err := ratelimit.TrustedFromEnv()
	if err != nil {
		return nil, err
	}
	return ratelimit.NewGuards(ratelimit.GuardConfig{Registry: reg, Own: dir.RateLimits, ClientIP: cip, Now: time.Now})
}
