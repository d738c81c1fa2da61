// Command devstart measures what a new developer waits for: `plein dev` on a fresh data
// directory (initdb, migrations, tenants applied) until /readyz answers 200, then the
// same on the now-initialised directory, and how long Ctrl-C takes to stop everything,
// PostgreSQL included. It prints the figures for the README.
//
//	go run ./tools/devstart [-runs 3]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/plein-nl/plein/tools/internal/measure"
)

func main() {
	runs := flag.Int("runs", 3, "fresh starts to measure")
	measure.Main("devstart", func(work, bin string) error { return run(*runs, work, bin) })
}

func run(runs int, work, bin string) error {
	var fresh, warm, stops []time.Duration
	for i := 0; i < runs; i++ {
		data := filepath.Join(work, fmt.Sprintf("data-%d", i))
		for _, into := range []*[]time.Duration{&fresh, &warm} {
			up, stop, err := once(bin, data)
			if err != nil {
				return err
			}
			*into = append(*into, up)
			stops = append(stops, stop)
		}
	}
	fmt.Printf("plein dev, fresh data dir, start to /readyz 200: %s (target: under 30 s)\n", measure.Summary(fresh))
	fmt.Printf("plein dev, existing data dir, start to /readyz 200: %s\n", measure.Summary(warm))
	fmt.Printf("plein dev, SIGINT to exit (PostgreSQL stopped): %s\n", measure.Summary(stops))
	return nil
}

func once(bin, data string) (up, stop time.Duration, err error) {
	addr, err := measure.FreeAddr()
	if err != nil {
		return 0, 0, err
	}
	cmd := exec.Command(bin, "dev", "--data-dir", data, "--http-addr", addr)
	cmd.Dir, _ = os.Getwd()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if ctx.Err() != nil {
			_ = cmd.Process.Kill()
			return 0, 0, errors.New("not ready within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	up = time.Since(start)
	t := time.Now()
	_ = cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		return 0, 0, fmt.Errorf("plein dev exited with %w", err)
	}
	if _, err := os.Stat(filepath.Join(data, "postgres", "data", "postmaster.pid")); err == nil {
		return 0, 0, errors.New("PostgreSQL still running after plein dev exited")
	}
	return up, time.Since(t), nil
}
