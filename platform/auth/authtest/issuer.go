// Package authtest runs a real OpenID Connect issuer for tests: discovery,
// a JWKS with an RSA and an EC key, and token minting — including the broken
// and hostile tokens a verifier must refuse. It also holds an in-memory session
// revocation store for handler tests without a database (Revocations).
package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Key ids the Issuer publishes in its JWKS.
const (
	RSAKeyID = "authtest-rsa"
	ECKeyID  = "authtest-ec"
)

// Issuer is an OpenID Connect issuer on an httptest server. Its URL is both the
// server's base URL and the "iss" of the tokens it signs. It is safe for
// concurrent use and stops when the test ends.
type Issuer struct {
	// URL is the issuer identifier, e.g. "http://127.0.0.1:41234".
	URL string

	t      testing.TB
	server *httptest.Server
	rsaKey *rsa.PrivateKey
	ecKey  *ecdsa.PrivateKey

	mu         sync.Mutex
	foreignRSA *rsa.PrivateKey
	foreignEC  *ecdsa.PrivateKey
	keyFetches int
}

// NewIssuer generates the issuer's keys and starts its server, which serves
// /.well-known/openid-configuration and /jwks.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("authtest: generate RSA key: %v", err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("authtest: generate EC key: %v", err)
	}
	iss := &Issuer{t: t, rsaKey: rsaKey, ecKey: ecKey}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", iss.discovery)
	mux.HandleFunc("GET /jwks", iss.jwks)
	iss.server = httptest.NewServer(mux)
	iss.URL = iss.server.URL
	t.Cleanup(iss.server.Close)
	return iss
}

// Client returns an HTTP client for the issuer's server.
func (i *Issuer) Client() *http.Client { return i.server.Client() }

// JWKSURL returns the URL of the issuer's key set.
func (i *Issuer) JWKSURL() string { return i.URL + "/jwks" }

// Close stops the server early, to simulate an identity provider outage.
func (i *Issuer) Close() { i.server.Close() }

// KeyFetches returns how often the JWKS has been served.
func (i *Issuer) KeyFetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keyFetches
}

// Claims returns the claims of a valid ID token from this issuer for audience
// and subject, issued at now and valid for an hour. Change or delete entries
// to make it invalid.
func (i *Issuer) Claims(audience, subject string, now time.Time) map[string]any {
	return map[string]any{
		"iss": i.URL,
		"aud": audience,
		"sub": subject,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

func (i *Issuer) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                i.URL,
		"authorization_endpoint":                i.URL + "/authorize",
		"token_endpoint":                        i.URL + "/token",
		"jwks_uri":                              i.JWKSURL(),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
	})
}

func (i *Issuer) jwks(w http.ResponseWriter, _ *http.Request) {
	i.mu.Lock()
	i.keyFetches++
	i.mu.Unlock()
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: i.rsaKey.Public(), KeyID: RSAKeyID, Algorithm: "RS256", Use: "sig"},
		{Key: i.ecKey.Public(), KeyID: ECKeyID, Algorithm: "ES256", Use: "sig"},
	}})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// SignOption changes how Sign mints a token.
type SignOption func(*signConfig)

type signConfig struct {
	alg     string
	kid     *string
	foreign bool
	headers map[string]any
}

// WithAlg signs with alg: "RS256" (the default), "ES256", "none" (an unsigned
// token with an empty signature), or "HS256" keyed with the PEM of the
// issuer's public RSA key — the classic algorithm-confusion forgery.
func WithAlg(alg string) SignOption { return func(c *signConfig) { c.alg = alg } }

// WithForeignKey signs with a key of the right type that the issuer does not
// publish, under the kid of the published one, so only the signature is wrong.
func WithForeignKey() SignOption { return func(c *signConfig) { c.foreign = true } }

// WithKeyID sets the "kid" header; "" leaves it out.
func WithKeyID(kid string) SignOption { return func(c *signConfig) { c.kid = &kid } }

// WithHeader adds a protected header, e.g. "typ" or "jku".
func WithHeader(key string, value any) SignOption {
	return func(c *signConfig) { c.headers[key] = value }
}

// Sign mints a compact JWS with claims as its payload, exactly as given; start
// from Claims for a valid token. It fails the test if it cannot sign.
func (i *Issuer) Sign(claims map[string]any, opts ...SignOption) string {
	i.t.Helper()
	c := signConfig{alg: "RS256", headers: map[string]any{}}
	for _, o := range opts {
		o(&c)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		i.t.Fatalf("authtest: marshal claims: %v", err)
	}

	var (
		key any
		kid string
	)
	switch c.alg {
	case "RS256":
		key, kid = crypto.Signer(i.rsaKey), RSAKeyID
		if c.foreign {
			key = i.foreignRSAKey()
		}
	case "ES256":
		key, kid = crypto.Signer(i.ecKey), ECKeyID
		if c.foreign {
			key = i.foreignECKey()
		}
	case "HS256":
		der, err := x509.MarshalPKIXPublicKey(i.rsaKey.Public())
		if err != nil {
			i.t.Fatalf("authtest: marshal public key: %v", err)
		}
		key, kid = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), RSAKeyID
	case "none":
		kid = RSAKeyID
	default:
		i.t.Fatalf("authtest: unsupported alg %q", c.alg)
	}
	if c.kid != nil {
		kid = *c.kid
	}
	if kid != "" {
		c.headers["kid"] = kid
	}
	if _, ok := c.headers["typ"]; !ok {
		c.headers["typ"] = "JWT"
	}

	if c.alg == "none" {
		c.headers["alg"] = "none"
		header, err := json.Marshal(c.headers)
		if err != nil {
			i.t.Fatalf("authtest: marshal header: %v", err)
		}
		enc := base64.RawURLEncoding
		return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "."
	}

	so := &jose.SignerOptions{}
	for k, v := range c.headers {
		so = so.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(c.alg), Key: key}, so)
	if err != nil {
		i.t.Fatalf("authtest: new signer: %v", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		i.t.Fatalf("authtest: sign: %v", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		i.t.Fatalf("authtest: serialize: %v", err)
	}
	return token
}

func (i *Issuer) foreignRSAKey() *rsa.PrivateKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.foreignRSA == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			i.t.Fatalf("authtest: generate foreign RSA key: %v", err)
		}
		i.foreignRSA = k
	}
	return i.foreignRSA
}

func (i *Issuer) foreignECKey() *ecdsa.PrivateKey {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.foreignEC == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			i.t.Fatalf("authtest: generate foreign EC key: %v", err)
		}
		i.foreignEC = k
	}
	return i.foreignEC
}
