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

	"github.com/plein-nl/plein/tools/internal/measure"
)

func main() {
	residents := flag.Int("residents", 200, "residents to create")
	workers := flag.Int("workers", 16, "concurrent clients")
	ops := flag.Int("ops", 4000, "payslip → month operations in all")
	measure.Main("payslipload", func(work, bin string) error { return run(*residents, *workers, *ops, work, bin) })
}

func run(nResidents, workers, ops int, work, bin string) error {
	addr, err := measure.FreeAddr()
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
	if err := measure.WaitReady(addr, 2*time.Minute); err != nil {
		return err
	}
	if err := raiseCalcLimit(bin, work); err != nil {
		return err
	}
	base := "http://" + addr
	client, err := signIn(base, workers)
	if err != nil {
		return err
	}
	api := base + "/api/v1/tenants/zwolle"
	ids, err := createResidents(client, api, nResidents)
	if err != nil {
		return err
	}
	latencies, elapsed, err := drive(client, api, ids, workers, ops)
	if err != nil {
		return err
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	fmt.Printf("payslip handed in → recomputed month served, %d ops, %d concurrent clients, %d residents:\n", ops, workers, nResidents)
	fmt.Printf("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms  (target p99 < 50 ms)\n",
		ms(pct(0.50)), ms(pct(0.95)), ms(pct(0.99)), ms(latencies[len(latencies)-1]))
	fmt.Printf("  throughput %.0f ops/s (each op: one POST and one GET)\n", float64(ops)/elapsed.Seconds())
	return nil
}

// raiseCalcLimit lifts Zwolle's limit on month calculations (60 a minute per
// consulent, which protects the engine from one runaway client) for this run, the way
// an operator would for a load test: its tenant file with a rate_limits override,
// applied with plein tenant apply.
func raiseCalcLimit(bin, work string) error {
	for _, f := range []string{"zwolle.yaml", "zwolle.svg"} {
		b, err := os.ReadFile(filepath.Join("tenants", f))
		if err != nil {
			return err
		}
		if f == "zwolle.yaml" {
			b = append(b, "\nrate_limits:\n  calc: {requests: 1000000, per: 1m}\n"...)
		}
		if err := os.WriteFile(filepath.Join(work, f), b, 0o644); err != nil {
			return err
		}
	}
	apply := exec.Command(bin, "tenant", "apply", "-f", filepath.Join(work, "zwolle.yaml"),
		"--data-dir", filepath.Join(work, "data"), "--author", "payslipload")
	if out, err := apply.CombinedOutput(); err != nil {
		return fmt.Errorf("raise the calc limit: %w\n%s", err, out)
	}
	// The directory reloads on NOTIFY; give the running server a moment.
	time.Sleep(500 * time.Millisecond)
	return nil
}

// signIn is the local test login as a consulent of Zwolle, on a client with a cookie jar.
func signIn(base string, workers int) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: workers * 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/t/zwolle/login", strings.NewReader(url.Values{"person": {"consulent"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("dev login: status %d", resp.StatusCode)
	}
	return client, nil
}

func createResidents(client *http.Client, api string, n int) ([]string, error) {
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		body := map[string]any{"name": fmt.Sprintf("Inwoner %d (test)", i), "birth_date": "1985-03-01",
			"bsn": bsnNumber(20000 + i), "iban": "NL91ABNA0417164300", "household_kind": "single"}
		var out struct {
			ID string `json:"id"`
		}
		if err := call(client, http.MethodPost, api+"/residents", body, http.StatusCreated, &out); err != nil {
			return nil, fmt.Errorf("create resident %d: %w", i, err)
		}
		ids = append(ids, out.ID)
	}
	return ids, nil
}

// drive runs ops payslip → month operations on workers concurrent clients and returns
// the latency of each and the time all took; any failure fails the run.
func drive(client *http.Client, api string, ids []string, workers, ops int) ([]time.Duration, time.Duration, error) {
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
				t0 := time.Now()
				err := payslipThenMonth(client, api, ids[i%len(ids)], i)
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
	if failures > 0 {
		return nil, 0, fmt.Errorf("%d of %d operations failed; first: %w", failures, ops, firstErr)
	}
	return latencies, time.Since(start), nil
}

// payslipThenMonth hands in a payslip for this month's pay date and reads the month
// back, which must count it.
func payslipThenMonth(client *http.Client, api, id string, i int) error {
	now := time.Now().UTC()
	payDate := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	net := 50000 + rand.Int64N(100000)
	err := call(client, http.MethodPost, api+"/residents/"+id+"/payslips", map[string]any{
		"applicant": 0, "employer": fmt.Sprintf("Werkgever %d", i%7), "period_start": payDate.AddDate(0, -1, 0).Format(time.DateOnly),
		"period_end": payDate.AddDate(0, 0, -1).Format(time.DateOnly), "gross_cents": net + 20000, "net_cents": net,
		"hours_centi": 6400, "pay_date": payDate.Format(time.DateOnly)}, http.StatusCreated, nil)
	if err != nil {
		return err
	}
	var month struct {
		Result struct {
			IncomeCents int64 `json:"income_cents"`
		} `json:"result"`
	}
	err = call(client, http.MethodGet, api+"/residents/"+id+"/months/"+now.Format("2006-01")+"?purpose=belastingtest+payslip", nil, http.StatusOK, &month)
	if err == nil && month.Result.IncomeCents < net {
		err = errors.New("the month does not count the payslip just handed in")
	}
	return err
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
