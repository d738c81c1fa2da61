package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
)

// Environment variables of the keys and issuers of the HTTP roles.
const (
	EnvSessionKey  = "PLEIN_SESSION_KEY"  // base64 of 32 random bytes
	EnvOIDCIssuers = "PLEIN_OIDC_ISSUERS" // JSON list of issuers for staff tokens
)

// SessionKey reads PLEIN_SESSION_KEY, or in local mode a key kept in the data
// directory (made on first use), so sessions survive a restart of `plein dev`.
func SessionKey(dataDir string, local bool) ([]byte, error) {
	if s := os.Getenv(EnvSessionKey); s != "" {
		k, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("%s must be the base64 of 32 bytes", EnvSessionKey)
		}
		return k, nil
	}
	if !local {
		return nil, fmt.Errorf("%s is not set", EnvSessionKey)
	}
	path := filepath.Join(dataDir, "session.key")
	if b, err := os.ReadFile(path); err == nil {
		if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k)), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// issuerConfig is one entry of PLEIN_OIDC_ISSUERS.
type issuerConfig struct {
	Issuer      string `json:"issuer"`
	Audience    string `json:"audience"`
	Tenant      string `json:"tenant"` // empty with cooperative
	Cooperative bool   `json:"cooperative"`
	RolesClaim  string `json:"roles_claim"`
	JWKSURL     string `json:"jwks_url"`
}

// LoadVerifiers builds a verifier per issuer of PLEIN_OIDC_ISSUERS, by issuer; none
// when it is unset.
func LoadVerifiers(ctx context.Context) (map[string]*Verifier, error) {
	out := map[string]*Verifier{}
	s := os.Getenv(EnvOIDCIssuers)
	if s == "" {
		return out, nil
	}
	var list []issuerConfig
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&list); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvOIDCIssuers, err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for i, ic := range list {
		v, err := NewVerifier(ctx, VerifierConfig{
			Issuer: ic.Issuer, Audience: ic.Audience, Tenant: tenant.ID(ic.Tenant), Cooperative: ic.Cooperative,
			RolesClaim: ic.RolesClaim, JWKSURL: ic.JWKSURL, HTTPClient: client, Now: time.Now,
		})
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", EnvOIDCIssuers, i, err)
		}
		out[ic.Issuer] = v
	}
	return out, nil
}
