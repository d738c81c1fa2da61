// Package browsertest drives Debian's chromium from Go tests with chromedp: it
// starts a headless browser for a test, opens tabs in fresh browser contexts (each
// with its own cookies), checks pages with axe-core for WCAG 2.1 AA, and saves
// screenshots as test artifacts.
//
// The browser is a real one: a missing chromium fails the test with the Debian
// package to install, never skips it. axe-core comes from tools/axe (npm ci there)
// or from $PLEIN_AXE_JS. Screenshots land in $PLEIN_TEST_ARTIFACTS/<test>, or in
// os.TempDir()/plein-artifacts/<test>; the folder is logged.
//
//	b := browsertest.Start(t)
//	tab := b.NewTab(t)
//	tab.Navigate(t, srv.URL+"/t/zwolle/")
//	browsertest.Axe(t, tab)
//	browsertest.Screenshot(t, tab, "home")
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/plein-nl/plein/internal/syncbuf"
)

// Environment variables the harness reads.
const (
	// EnvChromium overrides the browser binary (default /usr/bin/chromium).
	EnvChromium = "PLEIN_CHROMIUM"
	// EnvAxeJS is the path of axe.min.js (default tools/axe/node_modules/axe-core/axe.min.js).
	EnvAxeJS = "PLEIN_AXE_JS"
	// EnvArtifacts is the folder for screenshots (default os.TempDir()/plein-artifacts).
	EnvArtifacts = "PLEIN_TEST_ARTIFACTS"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// Timeout bounds every single step a test runs in a tab (a navigation, a click,
// an axe run); a hanging page fails the test instead of the whole test binary.
var Timeout = 30 * time.Second

// Browser is one headless chromium for one test, stopped when the test ends.
type Browser struct {
	ctx context.Context // a browser context that has run once: the parent of tabs
	out *syncbuf.Buffer // chromium's own output, shown when a test fails

	mu        sync.Mutex
	artifacts string // the test's screenshot folder, made on first use
	shots     int
}

// Start launches chromium for t (headless, no sandbox, a fresh profile) and stops
// it when t ends. It fails t, naming the Debian package, when chromium is missing.
func Start(t testing.TB) *Browser {
	t.Helper()
	exe := os.Getenv(EnvChromium)
	if exe == "" {
		exe = DefaultChromium
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatalf("browsertest: no browser at %s (%v). Install Debian's chromium: apt-get install -y chromium "+
			"(.ci/run installs it when missing), or point %s at a chromium binary.", exe, err, EnvChromium)
	}
	out := &syncbuf.Buffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root here; chromium refuses its sandbox then
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "nl-NL"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	logf := func(format string, args ...any) { fmt.Fprintf(out, "chromedp: "+format+"\n", args...) }
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(logf))
	b := &Browser{ctx: ctx, out: out}
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() && out.Len() > 0 {
			t.Logf("browsertest: chromium output:\n%s", tail(withoutNoise(out.String()), 4000))
		}
	})
	// The first run starts the browser; it must not have a timeout of its own.
	start := time.Now()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start %s: %v\n%s", exe, err, tail(out.String(), 4000))
	}
	t.Logf("browsertest: %s started in %s", exe, time.Since(start).Round(time.Millisecond))
	return b
}

// Tab is a browser tab in a browser context of its own: its cookies and storage
// are not shared with any other Tab, like a fresh private window.
type Tab struct {
	ctx context.Context
	b   *Browser
}

// NewTab opens a tab in a fresh browser context, closed when t ends.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: open tab: %v", err)
	}
	return &Tab{ctx: ctx, b: b}
}

// Context returns the tab's chromedp context, for actions the Tab has no method
// for. Derive a timeout from it per step; never cancel it.
func (tab *Tab) Context() context.Context { return tab.ctx }

// Run runs one action in tab within Timeout and returns its value; an error fails t.
func Run[T any](t testing.TB, tab *Tab, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browsertest: %v (page %s)", err, tab.location())
	}
	return v
}

// Do runs the actions in order, within Timeout each; an error fails t.
func (tab *Tab) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for _, a := range actions {
		Run(t, tab, a)
	}
}

// Navigate opens url and waits for the page to load; it returns the HTTP status.
func (tab *Tab) Navigate(t testing.TB, url string) int64 {
	t.Helper()
	resp := Run(t, tab, chromedp.NavigateResponse(url))
	if resp == nil {
		return 0
	}
	return resp.Status
}

// Click clicks the element css selects (a radio button, a checkbox) and does not
// wait for a page; use Follow for a link or a submit button.
func (tab *Tab) Click(t testing.TB, css string) {
	t.Helper()
	tab.Do(t, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// Follow clicks the element css selects and waits for the page it leads to (a
// link or a form's submit button); it returns that page's HTTP status.
func (tab *Tab) Follow(t testing.TB, css string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, Timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("browsertest: follow %s: %v (page %s)", css, err, tab.location())
	}
	return status(resp)
}

// Type replaces the value of the input css selects by typing text into it.
func (tab *Tab) Type(t testing.TB, css, text string) {
	t.Helper()
	tab.Do(t,
		chromedp.Clear(chromedp.CSS(css)),
		chromedp.SendKeys(chromedp.CSS(css), text, chromedp.NodeVisible),
	)
}

// Text returns the visible text of the first element css selects.
func (tab *Tab) Text(t testing.TB, css string) string {
	t.Helper()
	return Run(t, tab, chromedp.Text(chromedp.CSS(css)))
}

// Has reports whether an element matches css right now, without waiting.
func (tab *Tab) Has(t testing.TB, css string) bool {
	t.Helper()
	return Run(t, tab, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", css)))
}

// URL returns the address of the page in tab.
func (tab *Tab) URL(t testing.TB) string {
	t.Helper()
	return Run(t, tab, chromedp.Location())
}

// ComputedStyle returns the computed value of a CSS property ("background-color")
// of the first element css selects, as the browser resolves it ("rgb(0, 84, 159)").
func (tab *Tab) ComputedStyle(t testing.TB, css, property string) string {
	t.Helper()
	return Run(t, tab, chromedp.Evaluate[string](fmt.Sprintf(
		"getComputedStyle(document.querySelector(%q)).getPropertyValue(%q)", css, property)))
}

// location is the tab's address for error messages; it never fails.
func (tab *Tab) location() string {
	ctx, cancel := context.WithTimeout(tab.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown"
	}
	return loc
}

func status(resp *network.Response) int64 {
	if resp == nil {
		return 0
	}
	return resp.Status
}

// Screenshot saves a full-page PNG of tab as NN-name.png in the test's artifact
// folder and returns its path.
func Screenshot(t testing.TB, tab *Tab, name string) string {
	t.Helper()
	png := Run(t, tab, chromedp.FullScreenshot(100))
	dir := tab.b.artifactDir(t)
	tab.b.mu.Lock()
	tab.b.shots++
	n := tab.b.shots
	tab.b.mu.Unlock()
	path := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", n, safeName(name)))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browsertest: screenshot: %v", err)
	}
	return path
}

// artifactDir makes (once) and returns the folder of t's artifacts.
func (b *Browser) artifactDir(t testing.TB) string {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.artifacts != "" {
		return b.artifacts
	}
	root := os.Getenv(EnvArtifacts)
	if root == "" {
		root = filepath.Join(os.TempDir(), "plein-artifacts")
	}
	dir := filepath.Join(root, safeName(t.Name()))
	// A fresh folder per run, so old screenshots never pass for new ones.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatalf("browsertest: artifacts: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: artifacts: %v", err)
	}
	t.Logf("browsertest: screenshots in %s", dir)
	b.artifacts = dir
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "-"), "-") }

// withoutNoise drops chromium's complaints about the D-Bus a container lacks.
func withoutNoise(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.Contains(line, "dbus") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// errNoRepo is returned when no go.mod is found above the working directory.
var errNoRepo = errors.New("no go.mod above the working directory")

// repoRoot finds the module root: tests run in their package's folder.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errNoRepo
		}
		dir = parent
	}
}
