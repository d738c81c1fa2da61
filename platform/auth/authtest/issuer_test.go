package authtest_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/plein-nl/plein/platform/auth/authtest"
)

func TestIssuerServesDiscoveryAndKeys(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)

	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, iss, iss.URL+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != iss.URL || doc.JWKSURI != iss.JWKSURL() {
		t.Errorf("discovery = %+v, want issuer %q, jwks_uri %q", doc, iss.URL, iss.JWKSURL())
	}

	var set jose.JSONWebKeySet
	getJSON(t, iss, iss.JWKSURL(), &set)
	for _, kid := range []string{authtest.RSAKeyID, authtest.ECKeyID} {
		keys := set.Key(kid)
		if len(keys) != 1 || !keys[0].IsPublic() {
			t.Errorf("JWKS key %q = %+v, want one public key", kid, keys)
		}
	}
}

func TestIssuerSign(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	claims := iss.Claims("aud", "sub", time.Unix(1_700_000_000, 0))

	tests := []struct {
		name       string
		opts       []authtest.SignOption
		wantHeader map[string]any
		wantSig    bool
	}{
		{"default", nil, map[string]any{"alg": "RS256", "kid": authtest.RSAKeyID, "typ": "JWT"}, true},
		{"ES256", []authtest.SignOption{authtest.WithAlg("ES256")}, map[string]any{"alg": "ES256", "kid": authtest.ECKeyID}, true},
		{"none", []authtest.SignOption{authtest.WithAlg("none")}, map[string]any{"alg": "none"}, false},
		{"HS256", []authtest.SignOption{authtest.WithAlg("HS256")}, map[string]any{"alg": "HS256"}, true},
		{"custom header and kid", []authtest.SignOption{authtest.WithHeader("jku", "https://evil.example/jwks"), authtest.WithKeyID("k9")},
			map[string]any{"jku": "https://evil.example/jwks", "kid": "k9"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts := strings.Split(iss.Sign(claims, tt.opts...), ".")
			if len(parts) != 3 {
				t.Fatalf("token has %d parts, want 3", len(parts))
			}
			var header map[string]any
			decodePart(t, parts[0], &header)
			for k, want := range tt.wantHeader {
				if header[k] != want {
					t.Errorf("header[%q] = %v, want %v", k, header[k], want)
				}
			}
			var got map[string]any
			decodePart(t, parts[1], &got)
			if got["sub"] != "sub" || got["iss"] != iss.URL {
				t.Errorf("payload = %v, want sub %q, iss %q", got, "sub", iss.URL)
			}
			if (parts[2] != "") != tt.wantSig {
				t.Errorf("signature present = %v, want %v", parts[2] != "", tt.wantSig)
			}
		})
	}
}

func getJSON(t *testing.T, iss *authtest.Issuer, url string, v any) {
	t.Helper()
	resp, err := iss.Client().Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}

func decodePart(t *testing.T, part string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatalf("decode %q: %v", part, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
}
