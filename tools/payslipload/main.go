// Command payslipload measures the time from a payslip handed in to the recomputed
// month served, under concurrent load, against a real `plein dev` (its private
// PostgreSQL included) on this machine. Each operation is what a consulent's screen or
// the portal does: POST the payslip, then GET the resident's month, which the engine
// recomputes from the stored payslips. It prints p50/p95/p99 latency and throughput.
//
//	go run ./tools/payslipload [-residents 200] [-workers 16] [-ops 4000]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	residents := flag.Int("residents", 200, "residents to create")
	workers := flag.Int("workers", 16, "concurrent clients")
	ops := flag.Int("ops", 4000, "payslip → month operations in all")
	flag.Parse()
	if err := run(*residents, *workers, *ops); err != nil {
		fmt.Fprintln(os.Stderr, "payslipload:", err)
		os.Exit(1)
	}
}

func run(nResidents, workers, ops int) error {
	work, err := os.MkdirTemp("", "plein-payslipload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.Chmod(work, 0o755); err != nil {
		return err
	}
	bin := filepath.Join(work, "plein")
	build := exec.Command("go", "build", "-o", bin, "./services/plein")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "dev", "--data-dir", filepath.Join(work, "data"), "--http-addr", addr)
	cmd.Env = append(os.Environ(), "PLEIN_LOG_LEVEL=error")
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		return err
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: workers * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// The local test login as a consulent of Zwolle.
	req, _ := http.NewRequest(http.MethodPost, base+"/t/zwolle/login", strings.NewReader(url.Values{"person": {"consulent"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("dev login: status %d", resp.StatusCode)
	}

	api := base + "/api/v1/tenants/zwolle"
	ids := make([]string, 0, nResidents)
	for i := 0; i < nResidents; i++ {
		body := map[string]any{"name": fmt.Sprintf("Inwoner %d (test)", i), "birth_date": "1985-03-01",
			"bsn": bsnNumber(20000 + i), "iban": "NL91ABNA0417164300", "household_kind": "single"}
		var out struct {
			ID string `json:"id"`
		}
		if err := call(client, http.MethodPost, api+"/residents", body, http.StatusCreated, &out); err != nil {
			return fmt.Errorf("create resident %d: %w", i, err)
		}
		ids = append(ids, out.ID)
	}

	now := time.Now().UTC()
	period := now.Format("2006-01")
	payDate := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  int
		firstErr  error
	)
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				id := ids[i%len(ids)]
				net := 50000 + rand.Int64N(100000)
				t0 := time.Now()
				err := call(client, http.MethodPost, api+"/residents/"+id+"/payslips", map[string]any{
					"applicant": 0, "employer": fmt.Sprintf("Werkgever %d", i%7), "period_start": payDate.AddDate(0, -1, 0).Format(time.DateOnly),
					"period_end": payDate.AddDate(0, 0, -1).Format(time.DateOnly), "gross_cents": net + 20000, "net_cents": net,
					"hours_centi": 6400, "pay_date": payDate.Format(time.DateOnly)}, http.StatusCreated, nil)
				var month struct {
					Result struct {
						IncomeCents int64 `json:"income_cents"`
					} `json:"result"`
				}
				if err == nil {
					err = call(client, http.MethodGet, api+"/residents/"+id+"/months/"+period+"?purpose=belastingtest+payslip", nil, http.StatusOK, &month)
				}
				if err == nil && month.Result.IncomeCents < net {
					err = errors.New("the month does not count the payslip just handed in")
				}
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					failures++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < ops; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	elapsed := time.Since(start)
	if failures > 0 {
		return fmt.Errorf("%d of %d operations failed; first: %w", failures, ops, firstErr)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Printf("payslip handed in → recomputed month served, %d ops, %d concurrent clients, %d residents:\n", ops, workers, nResidents)
	fmt.Printf("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms  (target p99 < 50 ms)\n",
		ms(pct(0.50)), ms(pct(0.95)), ms(pct(0.99)), ms(latencies[len(latencies)-1]))
	fmt.Printf("  throughput %.0f ops/s (each op: one POST and one GET)\n", float64(ops)/elapsed.Seconds())
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func call(c *http.Client, method, u string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %s", method, u, resp.StatusCode, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// bsnNumber returns a 9-digit number that passes the 11-proef, made from n.
func bsnNumber(n int) string {
	for base := n * 1000; ; base++ {
		s := fmt.Sprintf("%08d", base%100000000)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += int(s[i]-'0') * (9 - i)
		}
		// 9a+…+2h − i ≡ 0 (mod 11): i = sum mod 11, which must be a digit.
		if d := sum % 11; d < 10 && s[0] != '0' {
			return s + fmt.Sprint(d)
		}
	}
}

func waitReady(base string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("plein dev not ready within 2 minutes")
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
