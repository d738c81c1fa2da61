package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestE2EResidentSearch: through the whole app, a consulent finds a case by BSN with
// POST …/residents/search (BSN and purpose in the body); the former GET with the BSN
// in the query is a 400 that points there and repeats nothing of the URL.
func TestE2EResidentSearch(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	found := b.postForID(t, "/api/v1/tenants/zwolle/residents/search",
		map[string]any{"bsn": e2eBSN, "purpose": e2ePurpose}, http.StatusOK)
	if found != id {
		t.Errorf("found %q, want %q", found, id)
	}
	status, out := b.api(t, http.MethodGet, "/api/v1/tenants/zwolle/residents?bsn="+e2eBSN+"&purpose="+url.QueryEscape(e2ePurpose),
		b.consulent, nil)
	if status != http.StatusBadRequest || !strings.Contains(string(out), "residents/search") || strings.Contains(string(out), e2eBSN) {
		t.Errorf("GET with ?bsn=: status %d, want 400 pointing to POST …/residents/search without the BSN: %s", status, out)
	}
}

// TestE2EStaffPlanReadsNeedPurpose: the staff reads of a resident's plans and
// shortfalls need a purpose, and a resident not in the gemeente is not found.
func TestE2EStaffPlanReadsNeedPurpose(t *testing.T) {
	t.Parallel()
	b := setupE2E(t)
	id := b.createResident(t, "Fatima Bakker", e2eBSN)
	for _, path := range []string{residentsPath(id) + "/plans", residentsPath(id) + "/shortfalls"} {
		if status, out := b.api(t, http.MethodGet, path, b.consulent, nil); status != http.StatusBadRequest ||
			!strings.Contains(string(out), `"field":"purpose"`) {
			t.Errorf("GET %s without purpose: status %d, want 400 naming purpose: %s", path, status, out)
		}
	}
	unknown := residentsPath("00000000-0000-4000-8000-000000000000") + "/plans?purpose=" + url.QueryEscape(e2ePurpose)
	if status, out := b.api(t, http.MethodGet, unknown, b.consulent, nil); status != http.StatusNotFound {
		t.Errorf("plans of an unknown resident: status %d, want 404: %s", status, out)
	}
}
