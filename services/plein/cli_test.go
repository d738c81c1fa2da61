package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/internal/syncbuf"
	"github.com/plein-nl/plein/platform/db/pgcluster"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

// dataDir returns a data directory the PostgreSQL server can enter even when the tests
// run as root and the server as nobody (t.TempDir's parents are private).
func dataDir(t *testing.T) string {
	t.Helper()
	dir := dataDirKept(t)
	t.Cleanup(func() { removeDataDir(dir) })
	return dir
}

// dataDirKept is a new data directory PostgreSQL (running as nobody under root) can
// enter; the caller removes it with removeDataDir.
func dataDirKept(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "plein-cli-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// liveDataDir is a data directory whose PostgreSQL the test starts and keeps running,
// as a running `plein dev` would: each command joins that server (and leaves it
// running) instead of starting and stopping one of its own, a second or more a command.
// dataDir's cleanup stops it.
func liveDataDir(t *testing.T) string {
	t.Helper()
	dir := dataDir(t)
	c, err := pgcluster.Open(filepath.Join(dir, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// removeDataDir stops the data directory's PostgreSQL, if it runs, and removes it.
func removeDataDir(dir string) {
	if c, err := pgcluster.Open(filepath.Join(dir, "postgres")); err == nil {
		_ = c.Stop(context.Background())
	}
	os.RemoveAll(dir)
}

func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// copyTenants copies the real tenant files into a fresh directory to mutate.
func copyTenants(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	tenancytest.CopyFiles(t, dir, "../../tenants/*")
	return dir
}

func TestTenantApplyListShow(t *testing.T) {
	t.Parallel()
	data := liveDataDir(t)
	tenants := copyTenants(t)

	out, _, err := runCLI(t, "tenant", "apply", "-f", tenants, "--dry-run", "--data-dir", data, "--author", "tester")
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !strings.Contains(out, "enschede: new, would apply") || !strings.Contains(out, "+ name: Gemeente Enschede") {
		t.Errorf("dry run output lacks the diff:\n%s", out)
	}
	// Every gemeente of tenants/ (the coöperatie's 30+) validates.
	files, _ := filepath.Glob(filepath.Join(tenants, "*.yaml"))
	if n := strings.Count(out, ": new, would apply"); n != len(files) || n < 30 {
		t.Errorf("dry run validated %d gemeenten of %d files, want all and at least 30", n, len(files))
	}
	out, _, err = runCLI(t, "tenant", "list", "--data-dir", data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "enschede") {
		t.Errorf("dry run wrote a tenant:\n%s", out)
	}

	if _, _, err := runCLI(t, "tenant", "apply", "-f", tenants, "--data-dir", data, "--author", "tester"); err != nil {
		t.Fatalf("apply: %v", err)
	}
	out, _, err = runCLI(t, "tenant", "list", "--data-dir", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"enschede", "Gemeente Zwolle", "mijn.deventer.example"} {
		if !strings.Contains(out, want) {
			t.Errorf("tenant list lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, "tenant", "show", "zwolle", "--data-dir", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "version 1") || !strings.Contains(out, "by tester") || !strings.Contains(out, `"0193"`) {
		t.Errorf("tenant show zwolle:\n%s", out)
	}

	// Bad input: each exits non-zero with file:line and the reason, and changes nothing.
	before, _, _ := runCLI(t, "tenant", "show", "enschede", "--data-dir", data)
	path := filepath.Join(tenants, "enschede.yaml")
	orig, _ := os.ReadFile(path)
	for _, c := range []struct {
		name    string
		mutate  func(string) string
		wantErr *regexp.Regexp
	}{
		{"unknown key", func(s string) string { return s + "colour: red\n" },
			regexp.MustCompile(`enschede\.yaml:\d+: colour: unknown key`)},
		{"bad IBAN", func(s string) string {
			return regexp.MustCompile(`iban: \S+`).ReplaceAllString(s, "iban: NL50BANK1234567890")
		},
			regexp.MustCompile(`enschede\.yaml:\d+: bank\.iban: .*mod-97`)},
		{"invalid colour", func(s string) string {
			return regexp.MustCompile(`primary_color: "\S+"`).ReplaceAllString(s, `primary_color: "rood"`)
		}, regexp.MustCompile(`enschede\.yaml:\d+: branding\.primary_color: "rood" is not a colour`)},
		{"host of another tenant", func(s string) string {
			return strings.Replace(s, "mijn.enschede.example", "mijn.zwolle.example", 1)
		}, regexp.MustCompile(`\.yaml:\d+: portal\.hosts\[0\]: "mijn\.zwolle\.example" is also a host of`)},
		{"bad tier", func(s string) string { return s + "hosting:\n  tier: gold\n" },
			regexp.MustCompile(`enschede\.yaml:\d+: hosting\.tier: "gold" is not a tier`)},
		{"bad valid_from", func(s string) string { return s + "valid_from: 2027-02-30\n" },
			regexp.MustCompile(`enschede\.yaml:\d+: valid_from: "2027-02-30" is not a date`)},
	} {
		if err := os.WriteFile(path, []byte(c.mutate(string(orig))), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := runCLI(t, "tenant", "apply", "-f", tenants, "--data-dir", data)
		if err == nil || !c.wantErr.MatchString(err.Error()) {
			t.Errorf("%s: err = %v, want match %s", c.name, err, c.wantErr)
		}
		if exitCode(err) == 0 {
			t.Errorf("%s: exit code 0, want non-zero", c.name)
		}
	}
	if err := os.WriteFile(path, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	after, _, _ := runCLI(t, "tenant", "show", "enschede", "--data-dir", data)
	if before != after {
		t.Errorf("bad applies changed the database:\nbefore\n%s\nafter\n%s", before, after)
	}

	// A duplicate id across files (a second file under another name is refused first
	// for its name; a directory of two gemeenten with one id cannot be applied).
	dup := t.TempDir()
	for _, f := range []string{"zwolle.yaml", "zwolle.svg"} {
		b, _ := os.ReadFile(filepath.Join(tenants, f))
		os.WriteFile(filepath.Join(dup, f), b, 0o644)
	}
	os.WriteFile(filepath.Join(dup, "zwolle.yml"), orig, 0o644)
	if _, _, err := runCLI(t, "tenant", "apply", "-f", dup, "--data-dir", data); err == nil {
		t.Error("apply of a directory with two files for one id succeeded")
	}

	// A version that takes effect later: the dry run and the apply say when, list flags
	// it, and show lists it as pending above the version in force, which it shows.
	zwolle := filepath.Join(tenants, "zwolle.yaml")
	zorig, _ := os.ReadFile(zwolle)
	date := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	changed := strings.Replace(string(zorig), `primary_color: "#00549F"`, `primary_color: "#003A70"`, 1) + "valid_from: " + date + "\n"
	if err := os.WriteFile(zwolle, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	pendingLine := regexp.MustCompile(`(?m)^    valid from ` + date + `T00:00:00\+0[12]:00 \(pending: version 1 stays in force until then\)$`)
	for _, dry := range []bool{true, false} {
		args := []string{"tenant", "apply", "-f", tenants, "--data-dir", data}
		if dry {
			args = append(args, "--dry-run")
		}
		out, _, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("apply (dry run %v) of a pending version: %v", dry, err)
		}
		if !strings.Contains(out, "zwolle: changed") || !strings.Contains(out, "version 2") || !pendingLine.MatchString(out) || !strings.Contains(out, "+   primary_color: '#003A70'") {
			t.Errorf("apply (dry run %v) of a pending version:\n%s\nwant zwolle changed to version 2, the diff, and a line matching %s", dry, out, pendingLine)
		}
	}
	out, _, _ = runCLI(t, "tenant", "list", "--data-dir", data)
	if !regexp.MustCompile(`(?m)^zwolle\s+Gemeente Zwolle\s+active\s+1\s+v2 from ` + date + `T00:00:00`).MatchString(out) {
		t.Errorf("tenant list, want zwolle at version 1 with v2 pending from %s:\n%s", date, out)
	}
	out, _, _ = runCLI(t, "tenant", "show", "zwolle", "--data-dir", data)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^version 1 in force since `),
		regexp.MustCompile(`(?m)^version 2 pending: takes effect at ` + date + `T00:00:00\+0[12]:00 `),
		regexp.MustCompile(`primary_color: '#00549F'`), // the config in force
		regexp.MustCompile(`(?m)^  v2\s+` + date + `T00:00:00\+0[12]:00\s+pending\s`),
		regexp.MustCompile(`(?m)^  v1\s+\S+\s+in force\s`),
	} {
		if !want.MatchString(out) {
			t.Errorf("tenant show zwolle lacks %s:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"nope"}, {"migrate"}, {"migrate", "sideways"}, {"tenant"}, {"tenant", "apply"}, {"tenant", "show"}, {"dev", "--no-such-flag"},
		{"settle", "replay"}, {"settle", "replay", "--tenant", "zwolle"}, {"settle", "replay", "--tenant", "zwolle", "--period", "2026-13"},
		{"settle", "replay", "--tenant", "zwolle", "--period", "2026-03", "extra"}, {"settle", "--tenant", "zwolle", "--period", "2026-03"}} {
		_, _, err := runCLI(t, args...)
		var ue usageError
		if !errors.As(err, &ue) || exitCode(err) != 2 {
			t.Errorf("plein %v: err = %v (exit %d), want a usage error (exit 2)", args, err, exitCode(err))
		}
	}
}

// TestDevStartsAndStops runs `plein dev` on a fresh data directory as a new user
// would: it must become healthy, serve every gemeente, and on cancellation (what
// Ctrl-C does) stop cleanly, PostgreSQL included. The start-up time is logged; the
// figure for the README comes from tools/devstart, not from this test.
func TestDevStartsAndStops(t *testing.T) {
	t.Parallel()
	data := dataDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncbuf.Buffer
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- run(ctx, []string{"dev", "--data-dir", data, "--http-addr", "127.0.0.1:0", "--tenants", "../../tenants"}, &out, io.Discard)
	}()
	urlRE := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/t/enschede/`)
	var base string
	for base == "" {
		select {
		case err := <-done:
			t.Fatalf("plein dev ended early: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if time.Since(start) > 2*time.Minute {
			t.Fatalf("no portal URL after 2 minutes:\n%s", out.String())
		}
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	t.Logf("plein dev on a fresh data dir: healthy after %v", time.Since(start).Round(time.Millisecond))
	for _, id := range []string{"enschede", "zwolle", "deventer"} {
		if !strings.Contains(out.String(), "/t/"+id+"/") {
			t.Errorf("start-up output does not list %s:\n%s", id, out.String())
		}
		resp, err := http.Get(base + "/t/" + id + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Welkom bij Gemeente") {
			t.Errorf("/t/%s/: status %d", id, resp.StatusCode)
		}
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `plein_http_requests_total{code="200",method="GET",route="GET /t/{tenant}/{$}",tenant="zwolle"}`) {
		t.Errorf("metrics lack the per-route, per-tenant request counter:\n%.2000s", metrics)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("plein dev on stop: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("plein dev did not stop within a minute")
	}
	c, err := pgcluster.Open(filepath.Join(data, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Running(context.Background()) {
		t.Error("PostgreSQL still runs after plein dev stopped")
	}
}

// TestTenantSuspendResume: the lifecycle from the command line — a reason is required,
// every move is an event, and an illegal one names the state and changes nothing.
func TestTenantSuspendResume(t *testing.T) {
	t.Parallel()
	data := liveDataDir(t)
	if _, errOut, err := runCLI(t, "tenant", "apply", "-f", "../../tenants", "--data-dir", data); err != nil {
		t.Fatalf("apply: %v\n%s", err, errOut)
	}
	if _, _, err := runCLI(t, "tenant", "suspend", "zwolle", "--data-dir", data); exitCode(err) != 2 || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("suspend without a reason: %v (exit %d), want a usage error naming --reason", err, exitCode(err))
	}
	out, _, err := runCLI(t, "tenant", "suspend", "zwolle", "--reason", "contributie niet betaald", "--author", "op@coop", "--data-dir", data)
	if err != nil || !strings.Contains(out, "zwolle: active → suspended (event 1, by op@coop: contributie niet betaald)") {
		t.Fatalf("suspend: %v\n%s", err, out)
	}
	out, _, _ = runCLI(t, "tenant", "list", "--data-dir", data)
	if !regexp.MustCompile(`zwolle\s+Gemeente Zwolle\s+suspended`).MatchString(out) {
		t.Errorf("list after suspend:\n%s", out)
	}
	if _, _, err := runCLI(t, "tenant", "suspend", "zwolle", "--reason", "nog eens", "--data-dir", data); err == nil ||
		exitCode(err) != 1 || !strings.Contains(err.Error(), "zwolle is suspended and cannot become suspended") {
		t.Errorf("suspending a suspended tenant: %v", err)
	}
	if _, _, err := runCLI(t, "tenant", "resume", "zwolle", "--reason", "betaald", "--data-dir", data); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "tenant", "events", "zwolle", "--data-dir", data)
	if err != nil || strings.Count(out, "\n") != 3 || !strings.Contains(out, "suspended  active") {
		t.Errorf("events: %v\n%s", err, out)
	}
}
