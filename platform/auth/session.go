package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/tenant"
)

// CSRFField is the name of the hidden form field that carries the CSRF token.
const CSRFField = "csrf_token"

// Session defaults.
const (
	DefaultCookieName = "plein_session"
	DefaultSessionTTL = 30 * time.Minute
)

// sessionVersion is bound into every cookie so a future format change cannot
// be confused with this one.
const sessionVersion = 1

// SessionConfig configures Sessions.
type SessionConfig struct {
	// Key is the 32-byte secret from which the cookie encryption key and the
	// CSRF key are derived. Every replica of the portal needs the same Key;
	// changing it logs everybody out.
	Key []byte
	// CookieName defaults to DefaultCookieName. A name with the "__Host-"
	// prefix makes browsers refuse the cookie from subdomains and over http;
	// it requires Secure.
	CookieName string
	// TTL is the session's lifetime, default DefaultSessionTTL (30 minutes).
	// It is absolute: a session ends TTL after login however active the
	// resident is, so a stolen cookie is worth at most TTL. Renewal means
	// logging in again (a DigiD session is shorter than that anyway).
	TTL time.Duration
	// Secure sets the cookie's Secure flag. It must be true in production
	// (see RefuseInsecureCookiesInProduction). When false, Load honours a
	// cookie only on a loopback host (127.0.0.1, ::1, localhost), the plain
	// http:// of `plein dev`.
	Secure bool
	// Now is the clock for issue and expiry. Required.
	Now func() time.Time
}

// Sessions issues and loads portal sessions held in a stateless cookie: the
// Identity, a random session id and the issue and expiry times, encrypted and
// authenticated with AES-256-GCM. Nothing is stored on the server, so logout
// only clears the browser's cookie; the TTL bounds a copied cookie's life.
// Sessions is safe for concurrent use.
type Sessions struct {
	aead    cipher.AEAD
	csrfKey []byte
	name    string
	ttl     time.Duration
	secure  bool
	now     func() time.Time
}

// Session is one resident's (or dev user's) logged-in session with a tenant.
type Session struct {
	// ID is the random id of this session; it is what the CSRF token is tied to.
	ID string
	// Identity is who is logged in, and for which tenant.
	Identity Identity
	// IssuedAt and ExpiresAt bound the session.
	IssuedAt, ExpiresAt time.Time

	csrf string
}

// CSRFToken returns the synchronizer token that every unsafe form of this
// session must send in the CSRFField field; render it as a hidden input.
func (s Session) CSRFToken() string { return s.csrf }

// NewSessions validates cfg and returns Sessions.
func NewSessions(cfg SessionConfig) (*Sessions, error) {
	if len(cfg.Key) != 32 {
		return nil, fmt.Errorf("%w: sessions: key must be 32 bytes, got %d", ErrInvalidConfig, len(cfg.Key))
	}
	if allZero(cfg.Key) {
		return nil, fmt.Errorf("%w: sessions: key is all zeros", ErrInvalidConfig)
	}
	if cfg.Now == nil {
		return nil, fmt.Errorf("%w: sessions: clock (Now) is required", ErrInvalidConfig)
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if err := (&http.Cookie{Name: cfg.CookieName, Value: "x"}).Valid(); err != nil {
		return nil, fmt.Errorf("%w: sessions: cookie name: %v", ErrInvalidConfig, err)
	}
	if strings.HasPrefix(cfg.CookieName, "__Host-") && !cfg.Secure {
		return nil, fmt.Errorf("%w: sessions: a __Host- cookie requires Secure", ErrInvalidConfig)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultSessionTTL
	}
	if cfg.TTL < time.Minute {
		return nil, fmt.Errorf("%w: sessions: TTL %s is shorter than a minute", ErrInvalidConfig, cfg.TTL)
	}

	// Separate keys for separate purposes, both derived from the one secret.
	encKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "plein/auth session aes-gcm v1", 32)
	if err != nil {
		return nil, fmt.Errorf("sessions: derive key: %w", err)
	}
	csrfKey, err := hkdf.Key(sha256.New, cfg.Key, nil, "plein/auth csrf hmac v1", 32)
	if err != nil {
		return nil, fmt.Errorf("sessions: derive key: %w", err)
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	return &Sessions{
		aead:    aead,
		csrfKey: csrfKey,
		name:    cfg.CookieName,
		ttl:     cfg.TTL,
		secure:  cfg.Secure,
		now:     cfg.Now,
	}, nil
}

// CookieName returns the name of the session cookie.
func (s *Sessions) CookieName() string { return s.name }

// wireSession is the cookie's plaintext.
type wireSession struct {
	Version    int      `json:"v"`
	ID         string   `json:"sid"`
	IssuedAt   int64    `json:"iat"`
	ExpiresAt  int64    `json:"exp"`
	Subject    string   `json:"sub"`
	Tenant     string   `json:"tid"`
	Roles      []string `json:"roles,omitempty"`
	ResidentID string   `json:"rid,omitempty"`
	Name       string   `json:"name,omitempty"`
	Method     string   `json:"amr"`
}

// Issue starts a new session for id (which must carry a subject, a valid tenant
// and a method) and sets its cookie on w. Call it only after authenticating,
// and always issue a fresh session at login rather than reusing one: a new
// random id is what defeats session fixation.
func (s *Sessions) Issue(w http.ResponseWriter, id Identity) (Session, error) {
	if err := id.validate(); err != nil {
		return Session{}, fmt.Errorf("auth: issue session: %w", err)
	}
	now := s.now().Truncate(time.Second)
	sess := Session{
		ID:        rand.Text(),
		Identity:  id,
		IssuedAt:  now,
		ExpiresAt: now.Add(s.ttl),
	}
	sess.csrf = s.csrfToken(sess)

	plain, err := json.Marshal(wireSession{
		Version:    sessionVersion,
		ID:         sess.ID,
		IssuedAt:   sess.IssuedAt.Unix(),
		ExpiresAt:  sess.ExpiresAt.Unix(),
		Subject:    id.Subject,
		Tenant:     string(id.Tenant),
		Roles:      id.Roles,
		ResidentID: id.ResidentID,
		Name:       id.Name,
		Method:     id.Method,
	})
	if err != nil {
		return Session{}, fmt.Errorf("auth: issue session: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // crypto/rand.Read never fails since Go 1.24.
	sealed := s.aead.Seal(nonce, nonce, plain, s.aad())
	http.SetCookie(w, s.cookie(base64.RawURLEncoding.EncodeToString(sealed), int(s.ttl/time.Second)))
	return sess, nil
}

// Load returns the session of r for tenant want. It fails with ErrNoSession
// when there is no cookie, ErrInvalidSession when the cookie is not one this
// Sessions made (tampered, forged, other key), ErrSessionExpired after its
// expiry, and ErrWrongTenant when it belongs to another tenant — so a cookie
// from /t/enschede/ never works on /t/zwolle/. All of them wrap
// ErrUnauthenticated.
func (s *Sessions) Load(r *http.Request, want tenant.ID) (Session, error) {
	if !want.Valid() {
		return Session{}, fmt.Errorf("auth: load session: %w: invalid tenant %q", ErrUnauthenticated, want)
	}
	if !s.secure && !isLoopbackHost(r.Host) {
		return Session{}, fmt.Errorf("auth: load session: %w: insecure session cookie refused on non-loopback host", ErrUnauthenticated)
	}
	cookies := r.CookiesNamed(s.name)
	if len(cookies) == 0 {
		return Session{}, fmt.Errorf("auth: load session: %w", ErrNoSession)
	}
	// A browser may send several cookies of one name (e.g. one set by a
	// sibling domain); the first that is valid for this tenant wins.
	var firstErr error
	for _, c := range cookies {
		sess, err := s.open(c.Value, want)
		if err == nil {
			return sess, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Session{}, fmt.Errorf("auth: load session: %w", firstErr)
}

func (s *Sessions) open(value string, want tenant.ID) (Session, error) {
	sealed, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(sealed) < s.aead.NonceSize()+s.aead.Overhead() {
		return Session{}, ErrInvalidSession
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], s.aad())
	if err != nil {
		return Session{}, ErrInvalidSession
	}
	var ws wireSession
	if err := json.Unmarshal(plain, &ws); err != nil || ws.Version != sessionVersion || ws.ID == "" {
		return Session{}, ErrInvalidSession
	}
	sess := Session{
		ID: ws.ID,
		Identity: Identity{
			Subject:    ws.Subject,
			Tenant:     tenant.ID(ws.Tenant),
			Roles:      ws.Roles,
			ResidentID: ws.ResidentID,
			Name:       ws.Name,
			Method:     ws.Method,
		},
		IssuedAt:  time.Unix(ws.IssuedAt, 0),
		ExpiresAt: time.Unix(ws.ExpiresAt, 0),
	}
	if err := sess.Identity.validate(); err != nil {
		return Session{}, ErrInvalidSession
	}
	if !s.now().Before(sess.ExpiresAt) {
		return Session{}, ErrSessionExpired
	}
	if sess.Identity.Tenant != want {
		return Session{}, ErrWrongTenant
	}
	sess.csrf = s.csrfToken(sess)
	return sess, nil
}

// Clear removes the session cookie (logout).
func (s *Sessions) Clear(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie("", -1))
}

func (s *Sessions) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     s.name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// aad binds a sealed value to the cookie name and format version, so it cannot
// be replayed under another cookie sealed with the same key.
func (s *Sessions) aad() []byte {
	return fmt.Appendf(nil, "plein/auth session v%d %s", sessionVersion, s.name)
}

// csrfToken is HMAC-SHA256(csrfKey, tenant, session id): unguessable without
// the key, stable for the session's life, and useless in another session.
func (s *Sessions) csrfToken(sess Session) string {
	m := hmac.New(sha256.New, s.csrfKey)
	fmt.Fprintf(m, "%s\x00%s", sess.Identity.Tenant, sess.ID)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF checks that the form of r carries sess's CSRF token in CSRFField,
// comparing in constant time. It returns an error wrapping ErrCSRF (HTTP 403)
// otherwise. Call it on every unsafe request of a logged-in session, in
// addition to the CrossOrigin middleware.
func (s *Sessions) CheckCSRF(r *http.Request, sess Session) error {
	if sess.ID == "" {
		return fmt.Errorf("auth: %w: no session", ErrCSRF)
	}
	got := r.PostFormValue(CSRFField)
	if got == "" {
		return fmt.Errorf("auth: %w: missing %s", ErrCSRF, CSRFField)
	}
	// Recompute rather than trust sess.csrf: sess may be any value the caller built.
	if !hmac.Equal([]byte(got), []byte(s.csrfToken(sess))) {
		return fmt.Errorf("auth: %w: %s does not match the session", ErrCSRF, CSRFField)
	}
	return nil
}

// isLoopbackHost reports whether a Host header names this machine.
func isLoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
