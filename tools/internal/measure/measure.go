// Package measure holds what the measuring drivers in tools/ share: the end of main, a
// work directory with plein built into it, a free loopback address, waiting for
// /readyz, and a summary of timings.
package measure

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

// Exit ends a driver's main: on an error it prints "name: err" on standard error and
// exits with status 1; on nil it returns.
func Exit(name string, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// FreeAddr returns a loopback address with a port nobody listens on.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Summary is "median X s (min A s, max B s, n=N)".
func Summary(ds []time.Duration) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return fmt.Sprintf("median %.2f s (min %.2f s, max %.2f s, n=%d)", s[len(s)/2].Seconds(), s[0].Seconds(), s[len(s)-1].Seconds(), len(s))
}

// Workdir makes a fresh temporary directory that PostgreSQL, running as nobody under
// root, can enter, and builds bin/plein into it from the module root (the drivers run
// from there). The caller removes the directory.
func Workdir(prefix string) (dir, bin string, err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	bin = filepath.Join(dir, "plein")
	build := exec.Command("go", "build", "-o", bin, "./services/plein")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.RemoveAll(dir)
		return "", "", fmt.Errorf("build: %w", err)
	}
	return dir, bin, nil
}

// WaitReady waits until http://addr/readyz answers 200, at most d.
func WaitReady(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("plein dev not ready within %s", d)
}
