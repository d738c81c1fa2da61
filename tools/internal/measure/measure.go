// Package measure holds what the measuring drivers in tools/ share: a main that builds
// plein into a fresh work directory and reports a failure, a free loopback address,
// waiting for /readyz, and a summary of timings.
package measure

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"
)

// Main is the main of the driver name, called once its flags are declared: it parses
// the flags, builds plein into a fresh work directory ("plein-<name>-…"), runs run
// there and removes the directory. On an error it prints "name: err" on standard
// error and exits with status 1.
func Main(name string, run func(work, bin string) error) {
	flag.Parse()
	if err := inWorkdir("plein-"+name+"-", run); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// inWorkdir runs run in a fresh workdir, removed when run returns.
func inWorkdir(prefix string, run func(work, bin string) error) error {
	work, bin, err := workdir(prefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	return run(work, bin)
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

// workdir makes a fresh temporary directory that PostgreSQL, running as nobody under
// root, can enter, and builds bin/plein into it from the module root (the drivers run
// from there). The caller removes the directory.
func workdir(prefix string) (dir, bin string, err error) {
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

// Percentiles returns the 50th, 95th and 99th percentile and the maximum of ds (all
// zero when ds is empty); ds is sorted in place.
func Percentiles(ds []time.Duration) (p50, p95, p99, maxd time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0, 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	pct := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))] }
	return pct(0.50), pct(0.95), pct(0.99), ds[len(ds)-1]
}

// MS is d in milliseconds.
func MS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
