package auth_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/plein-nl/plein/platform/auth"
)

// A session issued on enschede's portal authenticates there and nowhere else.
func ExampleSessions_Load() {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sessions, err := auth.NewSessions(auth.SessionConfig{
		Key:    bytes.Repeat([]byte{42}, 32), // from a secret store in real life
		Secure: true,
		Now:    func() time.Time { return now },
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
	// Output:
	// s-1 enschede <nil>
	// true true
}
