package auth_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/auth/authtest"
)

// A session issued on enschede's portal authenticates there and nowhere else,
// until it is logged out: then every copy of its cookie is refused.
func ExampleSessions_Load() {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sessions, err := auth.NewSessions(auth.SessionConfig{
		Key:    bytes.Repeat([]byte{42}, 32), // from a secret store in real life
		Secure: true,
		Now:    func() time.Time { return now },
		// auth.NewRevocationStore(appPool, time.Now) in real life.
		Revocations: authtest.NewRevocations(),
	})
	if err != nil {
		panic(err)
	}

	rec := httptest.NewRecorder()
	_, err = sessions.Issue(rec, auth.Identity{Subject: "s-1", Tenant: "enschede", Roles: []string{auth.RoleResident}, Method: auth.MethodOIDC})
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodGet, "https://plein.example/t/enschede/", nil)
	for _, c := range rec.Result().Cookies() {
		r.AddCookie(c)
	}

	sess, err := sessions.Load(r, "enschede")
	fmt.Println(sess.Identity.Subject, sess.Identity.Tenant, err)

	_, err = sessions.Load(r, "zwolle")
	fmt.Println(errors.Is(err, auth.ErrWrongTenant), errors.Is(err, auth.ErrUnauthenticated))

	if err := sessions.Logout(context.Background(), httptest.NewRecorder(), sess); err != nil {
		panic(err)
	}
	_, err = sessions.Load(r, "enschede")
	fmt.Println(errors.Is(err, auth.ErrSessionRevoked), errors.Is(err, auth.ErrUnauthenticated))
	// Output:
	// s-1 enschede <nil>
	// true true
	// true true
}
