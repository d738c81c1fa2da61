package main

import (
	"net/http"
	"os"

	"github.com/plein-nl/plein/platform/egress"
)

// egressClient is the client of every outbound HTTP request to an address a tenant
// or partner gave (creditor webhooks): platform/egress, with the allow-list of
// PLEIN_EGRESS_ALLOW.
func egressClient() *http.Client {
	return egress.NewClient(egress.Config{Allow: egress.ParseAllow(os.Getenv(egress.EnvAllow))})
}
