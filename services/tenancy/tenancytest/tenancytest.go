// Package tenancytest gives tests gemeente configs of their own to apply and change.
package tenancytest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// Copy copies the config (.yaml) and logo (.svg) of each of ids from dir (the
// repository's tenants/) into a new temporary directory and returns it: a private copy
// that a test may change, holding those gemeenten whatever else dir holds.
func Copy(t testing.TB, dir string, ids ...tenant.ID) string {
	t.Helper()
	dst := t.TempDir()
	for _, id := range ids {
		for _, ext := range []string{".yaml", ".svg"} {
			b, err := os.ReadFile(filepath.Join(dir, string(id)+ext))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, string(id)+ext), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// CopyFiles copies every file matching the glob patterns into dst (a directory that
// exists), and fails t when nothing matches: a test that loads gemeenten from the
// repository's tenants/ (patterns relative to the test's package) and may change them.
func CopyFiles(t testing.TB, dst string, patterns ...string) {
	t.Helper()
	n := 0
	for _, pat := range patterns {
		files, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no files match %q", patterns)
	}
}

// WriteExample writes a new gemeente's config into dir, as id.yaml with the logo id.svg
// beside it, and returns the config's path: the name and portal host given, extra
// appended (YAML lines, "" for none), and example colours, CBS code and bank account,
// marked as examples in the file. Tests and the onboarding driver apply it.
func WriteExample(dir, id, name, host, extra string) (string, error) {
	logo := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" fill="#1a4d80"/></svg>`
	if err := os.WriteFile(filepath.Join(dir, id+".svg"), []byte(logo), 0o644); err != nil {
		return "", err
	}
	y := fmt.Sprintf(`# A gemeente made by a test or a benchmark; every value is an example.
id: %s
name: %s
cbs_codes: ["0200"]
branding:
  primary_color: "#1A4D80"
  secondary_color: "#F2A900"
  logo: %s.svg
portal:
  hosts: [%s]
bank:
  iban: NL83BNGH0285001932
  bic: BNGHNL2G
  account_name: %s
example_values: [cbs_codes, branding.primary_color, branding.secondary_color, branding.logo, portal.hosts, bank.iban]
%s`, id, name, id, host, name, extra)
	file := filepath.Join(dir, id+".yaml")
	return file, os.WriteFile(file, []byte(y), 0o644)
}
