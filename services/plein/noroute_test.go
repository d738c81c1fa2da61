package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestAPIUnknownRouteAndMethod: under /api/ every error is problem+json — a path no
// route takes is a 404, and a route's path with a method it lacks a 405 with an Allow
// header naming the methods it has.
func TestAPIUnknownRouteAndMethod(t *testing.T) {
	t.Parallel()
	b := setupAPI(t)
	consulent := token(b.enschede, "cons-e", "consulent")
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/api/v1/nothing-here", http.StatusNotFound, ""},
		{http.MethodPost, "/api/v1/tenants/enschede/residents/search/more", http.StatusNotFound, ""},
		{http.MethodDelete, "/api/v1/tenants/enschede/residents", http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{http.MethodPut, "/api/v1/tenants/enschede/residents/00000000-0000-4000-8000-000000000001", http.StatusMethodNotAllowed, "GET, HEAD, PATCH"},
		{http.MethodGet, "/api/v1/tenants/enschede/settlement/runs/00000000-0000-4000-8000-000000000001/approve", http.StatusMethodNotAllowed, "POST"},
	} {
		req, err := http.NewRequest(c.method, b.srv.URL+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+consulent)
		resp, err := b.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p struct {
			Status   int    `json:"status"`
			Detail   string `json:"detail"`
			DetailNL string `json:"detail_nl"`
		}
		if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow ||
			resp.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil ||
			p.Status != c.status || p.DetailNL == "" || !strings.Contains(p.Detail, c.allow) {
			t.Errorf("%s %s: %d (Allow %q, %s) %s; want a %d problem, Allow %q",
				c.method, c.path, resp.StatusCode, resp.Header.Get("Allow"), resp.Header.Get("Content-Type"), body, c.status, c.allow)
		}
	}
}
