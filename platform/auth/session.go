package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	// DefaultCookieName is the session cookie's name when SessionConfig gives none.
	DefaultCookieName = "plein_session"
	// DefaultSessionTTL is a session's absolute lifetime from login.
	DefaultSessionTTL = 2 * time.Hour
	// DefaultIdleTimeout ends a session that has not been used for this long.
	DefaultIdleTimeout = 15 * time.Minute
)

// refreshEvery is how often a session in use gets a new cookie (LoadAndRefresh):
// not on every request, so that a page with many requests does not set a cookie
// on each. The idle timeout therefore holds to within refreshEvery.
const refreshEvery = time.Minute

// sessionVersion is bound into every cookie so a future format change cannot
// be confused with this one. Version 2 added the last-seen time; a version 1
// cookie no longer opens, which logs its holder out once.
const sessionVersion = 2

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
	// TTL is the session's absolute lifetime, default DefaultSessionTTL (2
	// hours): a session ends TTL after login however active the resident is,
	// so a stolen cookie is worth at most TTL. Renewal means logging in again.
	TTL time.Duration
	// IdleTimeout ends a session that has not been used for this long, default
	// DefaultIdleTimeout (15 minutes); at least two minutes, since use is
	// recorded once a minute (LoadAndRefresh).
	IdleTimeout time.Duration
	// Secure sets the cookie's Secure flag. It must be true in production
	// (see RefuseInsecureCookiesInProduction). When false, Load honours a
	// cookie only on a loopback host (127.0.0.1, ::1, localhost), the plain
	// http:// of `plein dev`.
	Secure bool
	// Now is the clock for issue and expiry. Required.
	Now func() time.Time
	// AcceptDev lets these Sessions issue and load sessions of the local test
	// login (Identity.Method MethodDev). Only `plein dev` sets it: a production
	// role refuses such a session even when it was sealed with the same key,
	// as it is when both run on one data directory.
	AcceptDev bool
	// Revocations remembers the sessions ended by Logout, so that a copy of a
	// logged-out cookie is refused. Required unless NoRevocation is set.
	Revocations Revocations
	// NoRevocation makes Sessions without a revocation store: Logout then only
	// clears the browser's cookie and a copy of it lives on until it expires.
	// It exists for tests of the cookie itself; an application never sets it.
	NoRevocation bool
}

// Sessions issues and loads portal sessions held in a cookie: the Identity, a
// random session id, the issue, last-seen and expiry times, encrypted and
// authenticated with AES-256-GCM. The server stores only the sessions that were
// ended early (Revocations): Logout records the session id there, and Load
// refuses it from then on, so a copied cookie dies with the logout. A session
// also ends IdleTimeout after its last use and TTL after login.
// Sessions is safe for concurrent use.
type Sessions struct {
	aead        cipher.AEAD
	csrfKey     []byte
	name        string
	ttl, idle   time.Duration
	secure      bool
	acceptDev   bool
	revocations Revocations // nil only with SessionConfig.NoRevocation
	now         func() time.Time
}

// Revocations is the server-side record of sessions ended before their expiry.
// An implementation keeps each tenant's revocations apart (RevocationStore:
// one PostgreSQL table under row-level security).
type Revocations interface {
	// Revoke records that session sessionID of tenant t has ended. until is the
	// session's own expiry: after it the record is no longer needed.
	Revoke(ctx context.Context, t tenant.ID, sessionID string, until time.Time) error
	// Revoked reports whether session sessionID of tenant t has been revoked.
	Revoked(ctx context.Context, t tenant.ID, sessionID string) (bool, error)
}

// Session is one resident's (or dev user's) logged-in session with a tenant.
type Session struct {
	// ID is the random id of this session; it is what the CSRF token is tied to.
	ID string
	// Identity is who is logged in, and for which tenant.
	Identity Identity
	// IssuedAt and ExpiresAt bound the session.
	IssuedAt, ExpiresAt time.Time
	// SeenAt is when the session's cookie was last issued: at login, then at
	// most once a minute while it is used. The idle timeout runs from it.
	SeenAt time.Time

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
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.IdleTimeout < 2*refreshEvery {
		return nil, fmt.Errorf("%w: sessions: idle timeout %s is shorter than %s", ErrInvalidConfig, cfg.IdleTimeout, 2*refreshEvery)
	}
	switch {
	case cfg.Revocations == nil && !cfg.NoRevocation:
		return nil, fmt.Errorf("%w: sessions: a revocation store is required, or logout would leave copied cookies working", ErrInvalidConfig)
	case cfg.Revocations != nil && cfg.NoRevocation:
		return nil, fmt.Errorf("%w: sessions: both a revocation store and NoRevocation", ErrInvalidConfig)
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
		aead:        aead,
		csrfKey:     csrfKey,
		name:        cfg.CookieName,
		ttl:         cfg.TTL,
		idle:        cfg.IdleTimeout,
		secure:      cfg.Secure,
		acceptDev:   cfg.AcceptDev,
		revocations: cfg.Revocations,
		now:         cfg.Now,
	}, nil
}

// CookieName returns the name of the session cookie.
func (s *Sessions) CookieName() string { return s.name }

// wireSession is the cookie's plaintext.
type wireSession struct {
	Version    int      `json:"v"`
	ID         string   `json:"sid"`
	IssuedAt   int64    `json:"iat"`
	SeenAt     int64    `json:"seen"`
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
// random id is what defeats session fixation. Sessions that do not accept dev
// sessions (SessionConfig.AcceptDev) refuse to issue one.
func (s *Sessions) Issue(w http.ResponseWriter, id Identity) (Session, error) {
	if err := id.validate(); err != nil {
		return Session{}, fmt.Errorf("auth: issue session: %w", err)
	}
	if id.Method == MethodDev && !s.acceptDev {
		return Session{}, fmt.Errorf("auth: issue session: %w: these sessions do not accept the local test login's", ErrInvalidConfig)
	}
	now := s.now().Truncate(time.Second)
	sess := Session{
		ID:        rand.Text(),
		Identity:  id,
		IssuedAt:  now,
		SeenAt:    now,
		ExpiresAt: now.Add(s.ttl),
	}
	sess.csrf = s.csrfToken(sess)
	if err := s.write(w, sess); err != nil {
		return Session{}, fmt.Errorf("auth: issue session: %w", err)
	}
	return sess, nil
}

// write seals sess into its cookie on w. The browser keeps the cookie for the
// idle timeout (or to the absolute expiry, if sooner); the server checks both
// times itself, from the sealed values.
func (s *Sessions) write(w http.ResponseWriter, sess Session) error {
	id := sess.Identity
	plain, err := json.Marshal(wireSession{
		Version:    sessionVersion,
		ID:         sess.ID,
		IssuedAt:   sess.IssuedAt.Unix(),
		SeenAt:     sess.SeenAt.Unix(),
		ExpiresAt:  sess.ExpiresAt.Unix(),
		Subject:    id.Subject,
		Tenant:     string(id.Tenant),
		Roles:      id.Roles,
		ResidentID: id.ResidentID,
		Name:       id.Name,
		Method:     id.Method,
	})
	if err != nil {
		return err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) // crypto/rand.Read never fails since Go 1.24.
	sealed := s.aead.Seal(nonce, nonce, plain, s.aad())
	maxAge := min(s.idle, sess.ExpiresAt.Sub(sess.SeenAt))
	http.SetCookie(w, s.cookie(base64.RawURLEncoding.EncodeToString(sealed), max(1, int(maxAge/time.Second))))
	return nil
}

// Load returns the session of r for tenant want. It fails with ErrNoSession
// when there is no cookie, ErrInvalidSession when the cookie is not one this
// Sessions made (tampered, forged, other key), ErrSessionExpired after its
// absolute expiry, ErrSessionIdle when it has not been used for the idle
// timeout, ErrWrongTenant when it belongs to another tenant — so a cookie from
// /t/enschede/ never works on /t/zwolle/ —, ErrDevSession for a session of the
// local test login on Sessions that do not accept those, and ErrSessionRevoked
// after Logout. All of them wrap ErrUnauthenticated. When the revocation store
// cannot answer, Load fails with ErrSessionStore: never a session it could not
// check.
//
// Load does not record the use: a handler that serves the session's holder
// calls LoadAndRefresh instead, or the session ends after the idle timeout
// however active its holder is.
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
			err = s.checkRevoked(r.Context(), sess)
			if errors.Is(err, ErrSessionStore) {
				return Session{}, fmt.Errorf("auth: load session: %w", err)
			}
		}
		if err == nil {
			return sess, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return Session{}, fmt.Errorf("auth: load session: %w", firstErr)
}

// LoadAndRefresh is Load for a request the session's holder makes: it records
// the use by setting a new cookie on w — the same session, the same id (which
// CSRF tokens and revocation are bound to), a later last-seen time — when a
// minute or more has passed since the cookie was issued. Call it before
// anything is written to w.
func (s *Sessions) LoadAndRefresh(w http.ResponseWriter, r *http.Request, want tenant.ID) (Session, error) {
	sess, err := s.Load(r, want)
	if err != nil {
		return Session{}, err
	}
	now := s.now().Truncate(time.Second)
	if now.Sub(sess.SeenAt) < refreshEvery {
		return sess, nil
	}
	sess.SeenAt = now
	if err := s.write(w, sess); err != nil {
		return Session{}, fmt.Errorf("auth: refresh session: %w", err)
	}
	// The response now carries a session cookie: no cache may keep it for
	// anyone else (a handler that knows better may still say so).
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	return sess, nil
}

// checkRevoked returns ErrSessionRevoked when sess has been logged out, and an
// error wrapping ErrSessionStore when that cannot be known.
func (s *Sessions) checkRevoked(ctx context.Context, sess Session) error {
	if s.revocations == nil {
		return nil
	}
	revoked, err := s.revocations.Revoked(ctx, sess.Identity.Tenant, sess.ID)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSessionStore, err)
	}
	if revoked {
		return ErrSessionRevoked
	}
	return nil
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
		SeenAt:    time.Unix(ws.SeenAt, 0),
		ExpiresAt: time.Unix(ws.ExpiresAt, 0),
	}
	if err := sess.Identity.validate(); err != nil {
		return Session{}, ErrInvalidSession
	}
	now := s.now()
	// The limits in force now hold for cookies issued under longer ones.
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.IssuedAt.Add(s.ttl)) {
		return Session{}, ErrSessionExpired
	}
	if !now.Before(sess.SeenAt.Add(s.idle)) {
		return Session{}, ErrSessionIdle
	}
	if sess.Identity.Tenant != want {
		return Session{}, ErrWrongTenant
	}
	if sess.Identity.Method == MethodDev && !s.acceptDev {
		return Session{}, ErrDevSession
	}
	sess.csrf = s.csrfToken(sess)
	return sess, nil
}

// Logout ends sess: it clears the cookie on w and records the session as
// revoked, so that Load refuses every copy of the cookie from now on, on every
// replica. An error means the revocation was not recorded (the cookie is
// cleared all the same); the caller should tell the resident that logging out
// failed. Load sess first (and check its CSRF token): Logout trusts it.
func (s *Sessions) Logout(ctx context.Context, w http.ResponseWriter, sess Session) error {
	s.Clear(w)
	if sess.ID == "" || s.revocations == nil {
		return nil
	}
	if err := s.revocations.Revoke(ctx, sess.Identity.Tenant, sess.ID, sess.ExpiresAt); err != nil {
		return fmt.Errorf("auth: logout: %w: %w", ErrSessionStore, err)
	}
	return nil
}

// Clear removes the session cookie from the browser. It does not end the
// session: a copy of the cookie keeps working; Logout ends it.
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
