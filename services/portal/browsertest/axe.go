package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeTags are the rule sets Axe runs: WCAG 2.0 and 2.1, levels A and AA, the
// legal bar for Dutch government sites.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// AxeViolation is one rule axe-core found broken on a page.
type AxeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	URL    string    `json:"helpUrl"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target []any `json:"target"` // selectors; nested lists inside shadow DOM / frames
}

type axeResults struct {
	Violations []AxeViolation `json:"violations"`
	Passes     int            `json:"passes"`
}

var (
	axeOnce sync.Once
	axeSrc  string
	axePath string
	axeErr  error
)

// axeSource reads axe.min.js once per test binary.
func axeSource() (string, string, error) {
	axeOnce.Do(func() {
		axePath = os.Getenv(EnvAxeJS)
		if axePath == "" {
			root, err := repoRoot()
			if err != nil {
				axeErr = err
				return
			}
			axePath = filepath.Join(root, "tools", "axe", "node_modules", "axe-core", "axe.min.js")
		}
		b, err := os.ReadFile(axePath)
		if err != nil {
			axeErr = err
			return
		}
		axeSrc = string(b)
	})
	return axeSrc, axePath, axeErr
}

// Axe injects axe-core into the page in tab, runs the WCAG 2.1 A and AA rules
// (AxeTags), and fails t for every violation of impact serious or critical,
// printing its id, help text and the first selectors it hit. Lesser violations
// are logged. It returns every violation found.
func Axe(t testing.TB, tab *Tab) []AxeViolation {
	t.Helper()
	src, path, err := axeSource()
	if err != nil {
		t.Fatalf("browsertest: axe-core not found at %s: %v. Run `npm ci` in tools/axe (axe-core pinned there), "+
			"or set %s to an axe.min.js.", path, err, EnvAxeJS)
	}
	// Runtime.evaluate is the debugger's own channel: the page's CSP (no scripts
	// at all) does not apply to it, so the page is checked as residents get it.
	if !Run(t, tab, chromedp.Evaluate[bool]("typeof window.axe === 'object'")) {
		Run(t, tab, chromedp.Evaluate[bool](src+"\n;typeof window.axe === 'object'"))
	}
	tags := `"` + strings.Join(AxeTags, `","`) + `"`
	res := Run(t, tab, chromedp.Evaluate[axeResults](fmt.Sprintf(`axe.run(document, {
		runOnly: {type: "tag", values: [%s]},
		resultTypes: ["violations"]
	}).then(r => ({violations: r.violations, passes: r.passes.length}))`, tags), chromedp.EvalAwaitPromise))
	loc := tab.location()
	for _, v := range res.Violations {
		targets := make([]string, 0, 3)
		for i, n := range v.Nodes {
			if i == 3 {
				targets = append(targets, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			targets = append(targets, fmt.Sprint(n.Target...))
		}
		line := fmt.Sprintf("axe %s [%s] on %s: %s (%s); at %s", v.ID, v.Impact, loc, v.Help, v.URL, strings.Join(targets, ", "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(line)
		} else {
			t.Log(line)
		}
	}
	return res.Violations
}
