package main

import "github.com/plein-nl/plein/platform/tenant"

func tenantID(s string) tenant.ID { return tenant.ID(s) }
