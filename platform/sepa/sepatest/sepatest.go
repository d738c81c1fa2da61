// Package sepatest checks pain.001 files against the official ISO 20022 XSDs with
// xmllint, for the tests of every package that writes them.
package sepatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/sepa"
)

// XMLLint validates data against the XSD of v and returns xmllint's output and error.
// The schemas are in PLEIN_SEPA_SCHEMAS, else in ../shared/schemas next to the module's
// root. There is no skip: a SEPA file that was never checked against the schema is the
// bug these tests exist for, so a missing xmllint or schema fails the test.
func XMLLint(t testing.TB, data []byte, v sepa.Version) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint not found (%v): install the Debian package libxml2-utils "+
			"(apt-get install libxml2-utils); the SEPA tests validate every file against the XSD", err)
	}
	xsd := filepath.Join(schemaDir(t), string(v)+".xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Fatalf("schema for %s not found: %v (set PLEIN_SEPA_SCHEMAS to the directory of the XSDs)", v, err)
	}
	file := filepath.Join(t.TempDir(), string(v)+".xml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command(bin, "--noout", "--schema", xsd, file).CombinedOutput()
}

// Validate fails the test (without stopping it) unless data, the file named name, is
// valid v.
func Validate(t testing.TB, name string, data []byte, v sepa.Version) {
	t.Helper()
	if out, err := XMLLint(t, data, v); err != nil {
		t.Errorf("%s is not valid %s: %v\n%s", name, v, err, out)
	}
}

// schemaDir is PLEIN_SEPA_SCHEMAS, or ../shared/schemas beside the directory that
// holds go.mod above the working directory (a test runs in its package's directory).
func schemaDir(t testing.TB) string {
	if dir := os.Getenv("PLEIN_SEPA_SCHEMAS"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "schemas")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory: set PLEIN_SEPA_SCHEMAS")
		}
		dir = parent
	}
}
