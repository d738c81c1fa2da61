// Package archtest checks the module's import boundaries, the rules that internal/
// directories cannot express: platform/ never imports services/, and no service
// imports another service's composition root.
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
			switch {
			case strings.HasPrefix(pkg, module+"/platform/") && strings.HasPrefix(imp, module+"/services/"):
				t.Errorf("%s imports %s: platform/ must never import services/", pkg, imp)
			case !strings.HasPrefix(pkg, module+"/services/plein") && strings.HasPrefix(imp, module+"/services/plein"):
				t.Errorf("%s imports %s: only the composition root may be package main", pkg, imp)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d packages, want the whole module", checked)
	}
}
