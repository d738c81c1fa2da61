package main

import (
	"github.com/plein-nl/plein/services/paymentplans"
)

// schuldregeling is the system actor of an agreed schuldregeling's aflossing plans,
// which plein seed records its aflossingen as (cmd_seed.go).
var schuldregeling = paymentplans.Schuldregeling
