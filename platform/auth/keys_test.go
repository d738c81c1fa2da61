package auth

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSessionKey(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvSessionKey, "")
	if _, err := SessionKey(dir, false); err == nil {
		t.Fatal("no key outside local mode: want an error")
	}
	k1, err := SessionKey(dir, true)
	if err != nil || len(k1) != 32 {
		t.Fatalf("local key: %d bytes, %v", len(k1), err)
	}
	k2, err := SessionKey(dir, true)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second start: got another key (%v), want the kept one", err)
	}
	want := bytes.Repeat([]byte{7}, 32)
	t.Setenv(EnvSessionKey, base64.StdEncoding.EncodeToString(want))
	if got, err := SessionKey(dir, true); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("from the environment: got %x, %v; want %x", got, err, want)
	}
	t.Setenv(EnvSessionKey, "dGVzdA==")
	if _, err := SessionKey(dir, true); err == nil {
		t.Fatal("a 4-byte key: want an error")
	}
}

func TestLoadVerifiersUnset(t *testing.T) {
	t.Setenv(EnvOIDCIssuers, "")
	if v, err := LoadVerifiers(t.Context()); err != nil || len(v) != 0 {
		t.Fatalf("got %d verifiers, %v; want none", len(v), err)
	}
	t.Setenv(EnvOIDCIssuers, `[{"issuer": "x", "colour": "blue"}]`)
	if _, err := LoadVerifiers(t.Context()); err == nil {
		t.Fatal("an unknown field: want an error")
	}
}
