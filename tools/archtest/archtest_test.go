// Package archtest checks the module's boundaries, the rules that internal/
// directories cannot express: platform/ never imports services/, no service imports
// another service's composition root or private code, and no service exports a
// function that takes a transaction, a connection or a pool so that another package can
// read its tables.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/plein-nl/plein"

func TestImportBoundaries(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var checked int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		checked++
		for _, imp := range imports {
			if msg := importViolation(pkg, imp); msg != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, msg)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d packages, want the whole module", checked)
	}
}

// importViolation says which rule pkg importing imp breaks, or "".
func importViolation(pkg, imp string) string {
	switch {
	case strings.HasPrefix(pkg, module+"/platform/") && strings.HasPrefix(imp, module+"/services/"):
		return "platform/ must never import services/"
	case !strings.HasPrefix(pkg, module+"/services/plein") && strings.HasPrefix(imp, module+"/services/plein"):
		return "only the composition root may be package main"
	}
	// The compiler refuses this too; the rule says why in words.
	if svc, ok := serviceOf(imp); ok && strings.Contains(imp+"/", "/internal/") {
		if own, _ := serviceOf(pkg); own != svc {
			return "a service's internal/ is its own: use the exported interface or reader of " + svc
		}
	}
	return ""
}

// serviceOf is the service a package of services/ belongs to ("residents" for
// services/residents/internal/store).
func serviceOf(pkg string) (string, bool) {
	rest, ok := strings.CutPrefix(pkg, module+"/services/")
	if !ok {
		return "", false
	}
	svc, _, _ := strings.Cut(rest, "/")
	return svc, true
}

// TestImportRules: each rule catches what it is about, and lets the rest pass.
func TestImportRules(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pkg, imp string
		bad      bool
	}{
		{"platform/db", "services/residents", true},
		{"services/income", "services/plein", true},
		{"services/caseload", "services/residents/internal/store", true},
		{"services/settlement", "services/income/internal/store", true},
		{"services/residents", "services/residents/internal/store", false},
		{"services/residents/internal/store", "platform/db", false},
		{"services/caseload", "services/residents", false},
		{"services/plein", "services/caseload", false},
	} {
		msg := importViolation(module+"/"+tt.pkg, module+"/"+tt.imp)
		if (msg != "") != tt.bad {
			t.Errorf("%s importing %s: %q, want a violation %v", tt.pkg, tt.imp, msg, tt.bad)
		}
	}
}
