package auth_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
	"github.com/plein-nl/plein/platform/tenant"
)

const clientID = "plein-enschede"

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

type verifierBundle struct {
	issuer   *authtest.Issuer
	verifier *auth.Verifier
}

func setupVerifier(t *testing.T, mutate func(*auth.VerifierConfig)) verifierBundle {
	t.Helper()
	iss := authtest.NewIssuer(t)
	cfg := auth.VerifierConfig{
		Issuer:     iss.URL,
		Audience:   clientID,
		Tenant:     tenant.MustParse("enschede"),
		HTTPClient: iss.Client(),
		Now:        func() time.Time { return t0 },
	}
	v := configured(t, cfg, mutate, func(cfg auth.VerifierConfig) (*auth.Verifier, error) { return auth.NewVerifier(t.Context(), cfg) })
	return verifierBundle{issuer: iss, verifier: v}
}

func TestVerifierVerify(t *testing.T) {
	t.Parallel()
	b := setupVerifier(t, nil)
	iss := b.issuer

	valid := func(edit func(map[string]any)) map[string]any {
		c := iss.Claims(clientID, "staff-123", t0.Add(-time.Minute))
		c["roles"] = []string{auth.RoleConsulent}
		c["name"] = "Anne Jansen"
		if edit != nil {
			edit(c)
		}
		return c
	}
	validToken := iss.Sign(valid(nil))
	parts := strings.Split(validToken, ".")
	forgedPayload := iss.Sign(valid(func(c map[string]any) { c["roles"] = []string{auth.RoleTenantAdmin} }))

	tests := []struct {
		name    string
		token   string
		ctx     func(context.Context) context.Context
		want    auth.Identity
		wantErr error
	}{
		{
			name:  "valid RS256",
			token: validToken,
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede", Roles: []string{auth.RoleConsulent},
				Name: "Anne Jansen", Method: auth.MethodOIDC},
		},
		{
			name:  "valid ES256",
			token: iss.Sign(valid(nil), authtest.WithAlg("ES256")),
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede", Roles: []string{auth.RoleConsulent},
				Name: "Anne Jansen", Method: auth.MethodOIDC},
		},
		{
			name: "roles outside the allowed set are dropped, duplicates once",
			token: iss.Sign(valid(func(c map[string]any) {
				c["roles"] = []string{"coop-operator", auth.RoleTenantAdmin, "resident", auth.RoleTenantAdmin, auth.RoleSchuldhulpverlener}
			})),
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede",
				Roles: []string{auth.RoleTenantAdmin, auth.RoleSchuldhulpverlener}, Name: "Anne Jansen", Method: auth.MethodOIDC},
		},
		{
			name:  "roles as a space-separated string",
			token: iss.Sign(valid(func(c map[string]any) { c["roles"] = "consulent tenant-admin" })),
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede",
				Roles: []string{auth.RoleConsulent, auth.RoleTenantAdmin}, Name: "Anne Jansen", Method: auth.MethodOIDC},
		},
		{
			name:  "no roles claim",
			token: iss.Sign(valid(func(c map[string]any) { delete(c, "roles"); delete(c, "name") })),
			want:  auth.Identity{Subject: "staff-123", Tenant: "enschede", Method: auth.MethodOIDC},
		},
		{
			name: "several audiences with azp naming us",
			token: iss.Sign(valid(func(c map[string]any) {
				c["aud"] = []string{"plein-zwolle", clientID}
				c["azp"] = clientID
			})),
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede", Roles: []string{auth.RoleConsulent},
				Name: "Anne Jansen", Method: auth.MethodOIDC},
		},
		{
			name:  "context tenant matches",
			token: validToken,
			ctx:   func(ctx context.Context) context.Context { return tenant.WithID(ctx, "enschede") },
			want: auth.Identity{Subject: "staff-123", Tenant: "enschede", Roles: []string{auth.RoleConsulent},
				Name: "Anne Jansen", Method: auth.MethodOIDC},
		},

		// Negative cases.
		{
			name:    "expired",
			token:   iss.Sign(valid(func(c map[string]any) { c["exp"] = t0.Add(-time.Second).Unix() })),
			wantErr: auth.ErrTokenExpired,
		},
		{
			name:    "not yet valid (nbf beyond the 5 minute leeway)",
			token:   iss.Sign(valid(func(c map[string]any) { c["nbf"] = t0.Add(time.Hour).Unix() })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "wrong audience",
			token:   iss.Sign(valid(func(c map[string]any) { c["aud"] = "plein-zwolle" })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name: "several audiences, azp is another client",
			token: iss.Sign(valid(func(c map[string]any) {
				c["aud"] = []string{"plein-zwolle", clientID}
				c["azp"] = "plein-zwolle"
			})),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "several audiences, no azp",
			token:   iss.Sign(valid(func(c map[string]any) { c["aud"] = []string{"plein-zwolle", clientID} })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "wrong issuer",
			token:   iss.Sign(valid(func(c map[string]any) { c["iss"] = "https://evil.example" })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "issuer with trailing slash",
			token:   iss.Sign(valid(func(c map[string]any) { c["iss"] = iss.URL + "/" })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "alg none",
			token:   iss.Sign(valid(nil), authtest.WithAlg("none")),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "HS256 keyed with the public RSA key (alg confusion)",
			token:   iss.Sign(valid(nil), authtest.WithAlg("HS256")),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "RS256 with an unpublished key under a published kid",
			token:   iss.Sign(valid(nil), authtest.WithForeignKey()),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "ES256 with an unpublished key under a published kid",
			token:   iss.Sign(valid(nil), authtest.WithAlg("ES256"), authtest.WithForeignKey()),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "unpublished key under an unknown kid",
			token:   iss.Sign(valid(nil), authtest.WithForeignKey(), authtest.WithKeyID("rotated-away")),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "unpublished key without kid",
			token:   iss.Sign(valid(nil), authtest.WithForeignKey(), authtest.WithKeyID("")),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "payload swapped under a valid signature",
			token:   parts[0] + "." + strings.Split(forgedPayload, ".")[1] + "." + parts[2],
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "signature stripped",
			token:   parts[0] + "." + parts[1] + ".",
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "signature truncated",
			token:   validToken[:len(validToken)-10],
			wantErr: auth.ErrInvalidToken,
		},
		{name: "garbled", token: "not-a-jwt", wantErr: auth.ErrInvalidToken},
		{name: "three garbled parts", token: "a.b.c", wantErr: auth.ErrInvalidToken},
		{name: "empty", token: "", wantErr: auth.ErrInvalidToken},
		{
			name:    "no subject",
			token:   iss.Sign(valid(func(c map[string]any) { delete(c, "sub") })),
			wantErr: auth.ErrInvalidToken,
		},
		{
			name:    "context tenant is another gemeente",
			token:   validToken,
			ctx:     func(ctx context.Context) context.Context { return tenant.WithID(ctx, "zwolle") },
			wantErr: auth.ErrWrongTenant,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			got, err := b.verifier.Verify(ctx, tt.token)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("Verify() error = %v, want %v (and ErrUnauthenticated); identity %+v", err, tt.wantErr, got)
				}
				if got.Subject != "" {
					t.Errorf("Verify() identity = %+v on error, want zero", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify() error = %v, want nil", err)
			}
			assertIdentity(t, got, tt.want)
		})
	}
}

func assertIdentity(t *testing.T, got, want auth.Identity) {
	t.Helper()
	if got.Subject != want.Subject || got.Tenant != want.Tenant || got.Name != want.Name ||
		got.Method != want.Method || got.ResidentID != want.ResidentID || !slices.Equal(got.Roles, want.Roles) {
		t.Errorf("identity = %+v, want %+v", got, want)
	}
}

func TestVerifierNestedRolesClaim(t *testing.T) {
	t.Parallel()
	b := setupVerifier(t, func(c *auth.VerifierConfig) { c.RolesClaim = "realm_access.roles" })
	claims := b.issuer.Claims(clientID, "staff-9", t0)
	claims["realm_access"] = map[string]any{"roles": []string{"offline_access", auth.RoleSchuldhulpverlener}}
	claims["roles"] = []string{auth.RoleTenantAdmin} // not the configured claim: ignored

	got, err := b.verifier.Verify(t.Context(), b.issuer.Sign(claims))
	if err != nil {
		t.Fatalf("Verify() error = %v, want nil", err)
	}
	if want := []string{auth.RoleSchuldhulpverlener}; !slices.Equal(got.Roles, want) {
		t.Errorf("roles = %q, want %q", got.Roles, want)
	}
}

func TestVerifierWithoutDiscovery(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	v, err := auth.NewVerifier(t.Context(), auth.VerifierConfig{
		Issuer:     iss.URL,
		Audience:   clientID,
		Tenant:     "enschede",
		JWKSURL:    iss.JWKSURL(),
		HTTPClient: iss.Client(),
		Now:        func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	got, err := v.Verify(t.Context(), iss.Sign(iss.Claims(clientID, "s-1", t0)))
	if err != nil {
		t.Fatalf("Verify() error = %v, want nil", err)
	}
	if got.Subject != "s-1" || got.Tenant != "enschede" {
		t.Errorf("identity = %+v, want subject s-1, tenant enschede", got)
	}
}

func TestVerifierCachesKeys(t *testing.T) {
	t.Parallel()
	b := setupVerifier(t, nil)
	for range 3 {
		if _, err := b.verifier.Verify(t.Context(), b.issuer.Sign(b.issuer.Claims(clientID, "s", t0))); err != nil {
			t.Fatalf("Verify() error = %v, want nil", err)
		}
	}
	if got, want := b.issuer.KeyFetches(), 1; got != want {
		t.Errorf("JWKS fetches = %d, want %d", got, want)
	}
}

func TestVerifierKeysUnavailable(t *testing.T) {
	t.Parallel()
	b := setupVerifier(t, nil)
	token := b.issuer.Sign(b.issuer.Claims(clientID, "s", t0))
	b.issuer.Close() // the IdP goes down before its keys were ever fetched

	_, err := b.verifier.Verify(t.Context(), token)
	if !errors.Is(err, auth.ErrKeysUnavailable) {
		t.Fatalf("Verify() error = %v, want %v", err, auth.ErrKeysUnavailable)
	}
	if errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("Verify() error = %v wraps ErrUnauthenticated, want a server-side error", err)
	}
}

func TestNewVerifierConfig(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	now := func() time.Time { return t0 }
	tests := []struct {
		name string
		cfg  auth.VerifierConfig
		want error // nil: any error
	}{
		{"no issuer", auth.VerifierConfig{Audience: clientID, Tenant: "enschede", Now: now}, auth.ErrInvalidConfig},
		{"no audience", auth.VerifierConfig{Issuer: iss.URL, Tenant: "enschede", Now: now}, auth.ErrInvalidConfig},
		{"invalid tenant", auth.VerifierConfig{Issuer: iss.URL, Audience: clientID, Tenant: "Enschede!", Now: now}, auth.ErrInvalidConfig},
		{"no clock", auth.VerifierConfig{Issuer: iss.URL, Audience: clientID, Tenant: "enschede"}, auth.ErrInvalidConfig},
		{"discovery issuer mismatch", auth.VerifierConfig{Issuer: iss.URL + "/", Audience: clientID, Tenant: "enschede", Now: now, HTTPClient: iss.Client()}, nil},
		{"no discovery document", auth.VerifierConfig{Issuer: iss.URL + "/nothing", Audience: clientID, Tenant: "enschede", Now: now, HTTPClient: iss.Client()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := auth.NewVerifier(t.Context(), tt.cfg)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("NewVerifier() = %v, %v; want error %v", v, err, tt.want)
			}
		})
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   string
		wantOK bool
	}{
		{"Bearer abc.def.ghi", "abc.def.ghi", true},
		{"bearer abc", "abc", true},
		{"BEARER  abc ", "abc", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer a b", "", false},
		{"Bearerabc", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, ok := auth.BearerToken(r)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
