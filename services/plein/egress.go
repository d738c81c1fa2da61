package main

import (
	"net/http"
	"os"
	"strings"

	"github.com/plein-nl/plein/platform/egress"
)

// envEgressAllow lists host:port pairs, comma-separated, that the outbound HTTP client
// may dial although they are on loopback: a webhook receiver on the developer's
// machine under plein dev, or a test's server. Empty (the default, and production)
// allows none.
const envEgressAllow = "PLEIN_EGRESS_ALLOW"

// egressClient is the client of every outbound HTTP request to an address a tenant
// or partner gave (creditor webhooks): platform/egress, with the allow-list of
// PLEIN_EGRESS_ALLOW.
func egressClient() *http.Client {
	return egress.NewClient(egress.Config{Allow: egressAllow(os.Getenv(envEgressAllow))})
}

// egressAllow splits the value of PLEIN_EGRESS_ALLOW. An entry that is not host:port
// allows nothing (egress.Config.Allow), so a mistake fails closed.
func egressAllow(v string) []string {
	var out []string
	for _, e := range strings.Split(v, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
