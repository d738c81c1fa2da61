package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plein-nl/plein/services/tenancy"
)

// TestTenantOffboardCLI: plein tenant offboard and purge on the private PostgreSQL,
// with a seeded caseload. No offboard without an export; a dry run writes the bundle
// and changes nothing; the offboard writes and checks the bundle before the move; the
// purge waits for the grace period; every refusal names the state and changes nothing.
func TestTenantOffboardCLI(t *testing.T) {
	t.Parallel()
	data, out := liveDataDir(t), t.TempDir()
	tenants := originalTenants(t)
	cli := func(args ...string) (string, error) {
		t.Helper()
		stdout, stderr, err := runCLI(t, append(args, "--data-dir", data)...)
		if err != nil {
			return stdout + stderr, err
		}
		return stdout, nil
	}
	must := func(args ...string) string {
		t.Helper()
		s, err := cli(args...)
		if err != nil {
			t.Fatalf("plein %s: %v\n%s", strings.Join(args, " "), err, s)
		}
		return s
	}
	status := func(id string) string {
		t.Helper()
		for _, line := range strings.Split(must("tenant", "list"), "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == id {
				for _, st := range []string{"active", "suspended", "offboarding", "offboarded"} {
					if strings.Contains(line, " "+st+" ") {
						return st
					}
				}
			}
		}
		return "?"
	}
	must("tenant", "apply", "-f", tenants, "--author", "tester")
	must("seed", "--tenant", "zwolle", "--residents", "4", "--period", "2026-04")

	// Refused before anything is written.
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"tenant", "offboard", "zwolle", "--reason", "fusie"}, "--export FILE is required"},
		{[]string{"tenant", "offboard", "zwolle", "--export", filepath.Join(out, "a.tar.gz")}, "--reason is required"},
		{[]string{"tenant", "offboard", "zwolle", "--export", filepath.Join(out, "a.tar.gz"), "--reason", "x", "--grace", "een maand"}, "--grace"},
		{[]string{"tenant", "offboard", "amersfoort", "--export", filepath.Join(out, "a.tar.gz"), "--reason", "x"}, "tenant not found"},
		{[]string{"tenant", "purge", "zwolle"}, "zwolle is active, not offboarding"},
	} {
		s, err := cli(c.args...)
		if err == nil || !strings.Contains(s+err.Error(), c.says) {
			t.Errorf("plein %s: %v, want an error saying %q\n%s", strings.Join(c.args, " "), err, c.says, s)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "a.tar.gz")); !errors.Is(err, os.ErrNotExist) || status("zwolle") != "active" {
		t.Fatalf("a refused offboard wrote a bundle (%v) or moved zwolle (%s)", err, status("zwolle"))
	}

	// The dry run writes a checked bundle, shows what a purge would delete, and moves
	// nothing.
	dry := filepath.Join(out, "zwolle-dry.tar.gz")
	s := must("tenant", "offboard", "zwolle", "--export", dry, "--dry-run")
	if !strings.Contains(s, "export written to "+dry+" and checked") || !strings.Contains(s, "dry run: nothing changed") ||
		!strings.Contains(s, "residents") || status("zwolle") != "active" {
		t.Fatalf("dry run (zwolle %s):\n%s", status("zwolle"), s)
	}
	files := untar(t, dry)
	if n := strings.Count(string(files["tables/residents.jsonl"]), "\n"); n != 4 || !strings.Contains(string(files["tables/residents.jsonl"]), `"bsn":"`) {
		t.Errorf("the dry run's residents (%d):\n%s", n, files["tables/residents.jsonl"])
	}
	if s, err := cli("tenant", "offboard", "zwolle", "--export", dry, "--dry-run"); err == nil || !strings.Contains(s+err.Error(), "never overwritten") {
		t.Errorf("an export over an existing file: %v", err)
	}

	// The offboard: zwolle with no grace, enschede with the default 30 days.
	bundle := filepath.Join(out, "zwolle.tar.gz")
	s = must("tenant", "offboard", "zwolle", "--export", bundle, "--reason", "fusie met Kampen", "--grace", "0d", "--author", "op@coop")
	if !strings.Contains(s, "zwolle: active → offboarding") || !strings.Contains(s, "by op@coop: fusie met Kampen") || status("zwolle") != "offboarding" {
		t.Fatalf("offboard:\n%s", s)
	}
	f, err := os.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	_, info, err := tenancy.VerifyBundle(f)
	f.Close()
	if err != nil || !strings.Contains(s, info.SHA256) {
		t.Errorf("the bundle: %v; its sha256 %s is not in the output", err, info.SHA256)
	}
	must("tenant", "offboard", "enschede", "--export", filepath.Join(out, "enschede.tar.gz"), "--reason", "opgezegd")
	if s, err := cli("tenant", "purge", "enschede"); err == nil || !strings.Contains(s+err.Error(), "grace period until") {
		t.Errorf("a purge in the grace period: %v\n%s", err, s)
	}
	if s, err := cli("tenant", "offboard", "zwolle", "--export", filepath.Join(out, "b.tar.gz"), "--reason", "x"); err == nil ||
		!strings.Contains(s+err.Error(), "offboarding already") {
		t.Errorf("offboard twice: %v\n%s", err, s)
	}

	kek := filepath.Join(data, "kms", "bsn-zwolle") // the seed made zwolle's key
	if _, err := os.Stat(kek); err != nil {
		t.Fatalf("zwolle's KEK before the purge: %v", err)
	}
	s = must("tenant", "purge", "zwolle", "--author", "op@coop")
	if !strings.Contains(s, "zwolle: purged by op@coop") || !strings.Contains(s, "residents") || status("zwolle") != "offboarded" {
		t.Fatalf("purge (zwolle %s):\n%s", status("zwolle"), s)
	}
	if _, err := os.Stat(kek); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("zwolle's KEK after the purge: %v, want it destroyed", err)
	}
	if s, err := cli("tenant", "offboard", "zwolle", "--export", filepath.Join(out, "c.tar.gz"), "--reason", "x"); err == nil ||
		!strings.Contains(s+err.Error(), "zwolle is offboarded") {
		t.Errorf("offboard an offboarded tenant: %v\n%s", err, s)
	}
	if _, err := os.Stat(filepath.Join(out, "c.tar.gz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused offboard left a bundle: %v", err)
	}
	if s := must("tenant", "events", "zwolle"); !strings.Contains(s, "offboarding  offboarded") || !strings.Contains(s, "purged after the grace period") {
		t.Errorf("zwolle's events:\n%s", s)
	}
	if status("deventer") != "active" || status("enschede") != "offboarding" {
		t.Errorf("deventer %s, enschede %s", status("deventer"), status("enschede"))
	}
}

func untar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name], _ = io.ReadAll(tr)
	}
}
