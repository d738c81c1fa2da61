package tenant_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"enschede", true},
		{"s-hertogenbosch", true},
		{"gemeente-0153", true},
		{"a", true},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"Enschede", false},
		{"-enschede", false},
		{"enschede-", false},
		{"en schede", false},
		{"en_schede", false},
		{"../zwolle", false},
		{"zwolle.example", false},
		{"énschede", false},
	} {
		id, err := tenant.Parse(c.in)
		if (err == nil) != c.ok {
			t.Errorf("Parse(%q) error = %v, want ok=%v", c.in, err, c.ok)
		}
		if err != nil && !errors.Is(err, tenant.ErrInvalidID) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalidID", c.in, err)
		}
		if c.ok && string(id) != c.in {
			t.Errorf("Parse(%q) = %q", c.in, id)
		}
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, ok := tenant.FromContext(ctx); ok {
		t.Error("empty context carries a tenant")
	}
	if _, err := tenant.Require(ctx); !errors.Is(err, tenant.ErrNoTenant) {
		t.Errorf("Require on empty context: %v, want ErrNoTenant", err)
	}
	ctx = tenant.WithID(ctx, "zwolle")
	if id, err := tenant.Require(ctx); err != nil || id != "zwolle" {
		t.Errorf("Require = %q, %v; want zwolle", id, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("WithID with an invalid id did not panic")
		}
	}()
	tenant.WithID(ctx, "Not Valid")
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"enschede", "", "-a", "a-", "A", "a.b", strings.Repeat("z", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := tenant.Parse(s)
		if err != nil {
			return
		}
		if !id.Valid() || len(s) > 63 || strings.ToLower(s) != s || strings.ContainsAny(s, "./ _") {
			t.Errorf("Parse accepted %q", s)
		}
	})
}
