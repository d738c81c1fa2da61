// Package sepatest checks pain.001 files against the official ISO 20022 XSDs with
// xmllint, for the tests of every package that writes them.
package sepatest

import (
	"embed"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/sepa"
)

// XMLLint validates data against the XSD of v and returns xmllint's output and error.
// The schemas are embedded (xsd/), or in PLEIN_SEPA_SCHEMAS when that is set. There is no skip: a SEPA file that was never checked against the schema is the
// bug these tests exist for, so a missing xmllint or schema fails the test.
func XMLLint(t testing.TB, data []byte, v sepa.Version) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint not found (%v): install the Debian package libxml2-utils "+
			"(apt-get install libxml2-utils); the SEPA tests validate every file against the XSD", err)
	}
	xsd := schemaFile(t, v)
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

// schemas are the official XSDs, in the repository so that a bare clone tests on its
// own.
//
//go:embed xsd/*.xsd
var schemas embed.FS

// schemaFile is the XSD of v: from PLEIN_SEPA_SCHEMAS when it is set (to check against
// another copy), else the embedded one, written out for xmllint.
func schemaFile(t testing.TB, v sepa.Version) string {
	if dir := os.Getenv("PLEIN_SEPA_SCHEMAS"); dir != "" {
		return filepath.Join(dir, string(v)+".xsd")
	}
	data, err := schemas.ReadFile("xsd/" + string(v) + ".xsd")
	if err != nil {
		t.Fatalf("no schema for %s: %v", v, err)
	}
	file := filepath.Join(t.TempDir(), string(v)+".xsd")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
