// Command onboard measures how long a new gemeente takes from `plein tenant apply` to
// an answering portal: it starts `plein dev` on a fresh data directory, then, run after
// run, writes a new tenant file, applies it with the real command, and polls the new
// portal host until its home page answers 200 with the gemeente's name. It prints the
// figures for the README (target: under 10 s).
//
//	go run ./tools/onboard [-runs 5]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/plein-nl/plein/services/tenancy/tenancytest"
	"github.com/plein-nl/plein/tools/internal/measure"
)

func main() {
	runs := flag.Int("runs", 5, "gemeenten to onboard")
	measure.Main("onboard", func(work, bin string) error { return run(*runs, work, bin) })
}

func run(runs int, work, bin string) error {
	data := filepath.Join(work, "data")
	addr, err := measure.FreeAddr()
	if err != nil {
		return err
	}
	dev := exec.Command(bin, "dev", "--data-dir", data, "--http-addr", addr)
	dev.Stderr = io.Discard
	if err := dev.Start(); err != nil {
		return err
	}
	defer func() { _ = dev.Process.Signal(syscall.SIGINT); _ = dev.Wait() }()
	if err := waitFor(2*time.Minute, func() bool { return get(addr, "", "/readyz", "") }); err != nil {
		return fmt.Errorf("plein dev: %w", err)
	}

	var applies, answers []time.Duration
	for i := range runs {
		id := fmt.Sprintf("onboard-%d", i+1)
		name := fmt.Sprintf("Gemeente Onboard %d", i+1)
		host := "mijn." + id + ".example"
		file, err := tenancytest.WriteExample(work, id, name, host, "")
		if err != nil {
			return err
		}
		if get(addr, host, "/", name) {
			return fmt.Errorf("%s answers before it is applied", host)
		}
		start := time.Now()
		apply := exec.Command(bin, "tenant", "apply", "-f", file, "--data-dir", data, "--author", "onboard")
		if out, err := apply.CombinedOutput(); err != nil {
			return fmt.Errorf("apply %s: %w\n%s", id, err, out)
		}
		applies = append(applies, time.Since(start))
		if err := waitFor(30*time.Second, func() bool { return get(addr, host, "/", name) }); err != nil {
			return fmt.Errorf("portal of %s: %w", id, err)
		}
		answers = append(answers, time.Since(start))
	}
	fmt.Printf("plein tenant apply (a new gemeente, the command's own run): %s\n", measure.Summary(applies))
	fmt.Printf("tenant apply → the new gemeente's portal answers 200 with its name: %s (target: under 10 s)\n", measure.Summary(answers))
	return nil
}

// get reports whether path on host answers 200 (and contains want, when set).
func get(addr, host, path, want string) bool {
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return false
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), want)
}

func waitFor(d time.Duration, ok func() bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for !ok() {
		if ctx.Err() != nil {
			return errors.New("timed out after " + d.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}
