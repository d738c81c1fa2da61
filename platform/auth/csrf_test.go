package auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/auth"
)

func TestCheckCSRF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		form    func(sess, other auth.Session) url.Values
		query   func(sess auth.Session) string
		zero    bool // check against a zero Session
		wantErr bool
	}{
		{name: "right token", form: func(s, _ auth.Session) url.Values { return url.Values{auth.CSRFField: {s.CSRFToken()}} }},
		{name: "missing token", form: func(_, _ auth.Session) url.Values { return url.Values{"amount": {"12"}} }, wantErr: true},
		{name: "empty token", form: func(_, _ auth.Session) url.Values { return url.Values{auth.CSRFField: {""}} }, wantErr: true},
		{name: "wrong token", form: func(_, _ auth.Session) url.Values { return url.Values{auth.CSRFField: {"AAAA"}} }, wantErr: true},
		{
			name:    "right token with a character changed",
			form:    func(s, _ auth.Session) url.Values { return url.Values{auth.CSRFField: {flipLast(s.CSRFToken())}} },
			wantErr: true,
		},
		{
			name:    "another session's token",
			form:    func(_, o auth.Session) url.Values { return url.Values{auth.CSRFField: {o.CSRFToken()}} },
			wantErr: true,
		},
		{
			name:    "token only in the query string",
			form:    func(_, _ auth.Session) url.Values { return url.Values{} },
			query:   func(s auth.Session) string { return auth.CSRFField + "=" + url.QueryEscape(s.CSRFToken()) },
			wantErr: true,
		},
		{
			name:    "no session",
			form:    func(s, _ auth.Session) url.Values { return url.Values{auth.CSRFField: {s.CSRFToken()}} },
			zero:    true,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setupSessions(t, nil)
			sess, _ := issue(t, b.sessions, resident("enschede"))
			other, _ := issue(t, b.sessions, resident("enschede"))

			target := "/t/enschede/betalingen"
			if tt.query != nil {
				target += "?" + tt.query(sess)
			}
			r := httptest.NewRequest("POST", target, strings.NewReader(tt.form(sess, other).Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			check := sess
			if tt.zero {
				check = auth.Session{}
			}
			err := b.sessions.CheckCSRF(r, check)
			if tt.wantErr {
				if !errors.Is(err, auth.ErrCSRF) {
					t.Fatalf("CheckCSRF() error = %v, want %v", err, auth.ErrCSRF)
				}
				return
			}
			if err != nil {
				t.Fatalf("CheckCSRF() error = %v, want nil", err)
			}
		})
	}
}

func flipLast(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}

func TestCrossOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		headers    map[string]string
		wantStatus int
	}{
		{"cross-site POST", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site POST from a sibling gemeente", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"cross-site DELETE", "DELETE", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"POST with a foreign Origin, no Sec-Fetch-Site", "POST", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-origin POST", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"user-typed navigation", "POST", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusOK},
		{"POST with our own Origin", "POST", map[string]string{"Origin": "https://mijn.enschede.example"}, http.StatusOK},
		{"POST without browser headers", "POST", nil, http.StatusOK},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			h := auth.CrossOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called = true }))
			r := httptest.NewRequest(tt.method, "https://mijn.enschede.example/t/enschede/aanvraag", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if wantCalled := tt.wantStatus == http.StatusOK; called != wantCalled {
				t.Errorf("next called = %v, want %v", called, wantCalled)
			}
		})
	}
}
