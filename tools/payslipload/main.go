// Command payslipload measures the time from a payslip handed in to the recomputed
// month served, under concurrent load, against a real `plein dev` (its private
// PostgreSQL included) on this machine. Each operation is what a consulent's screen or
// the portal does: POST the payslip, then GET the resident's month, which the engine
// recomputes from the stored payslips. It prints p50/p95/p99 latency and throughput.
//
//	go run ./tools/payslipload [-residents 200] [-workers 16] [-ops 4000]
package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/plein-nl/plein/tools/internal/devapi"
	"github.com/plein-nl/plein/tools/internal/measure"
)

func main() {
	residents := flag.Int("residents", 200, "residents to create")
	workers := flag.Int("workers", 16, "concurrent clients")
	ops := flag.Int("ops", 4000, "payslip → month operations in all")
	measure.Main("payslipload", func(work, bin string) error { return run(*residents, *workers, *ops, work, bin) })
}

func run(nResidents, workers, ops int, work, bin string) error {
	tenants, _, err := devapi.Tenants(work, devapi.CalcUnlimited, "zwolle")
	if err != nil {
		return err
	}
	dev, err := devapi.Start(bin, work, tenants)
	if err != nil {
		return err
	}
	defer dev.Stop()
	client, err := devapi.Login(dev.Base, "zwolle", "consulent", workers*2)
	if err != nil {
		return err
	}
	api := dev.Base + "/api/v1/tenants/zwolle"
	ids, err := devapi.CreateResidents(client, api, nResidents, 20000)
	if err != nil {
		return err
	}
	latencies, elapsed, err := drive(client, api, ids, workers, ops)
	if err != nil {
		return err
	}
	p50, p95, p99, maxd := measure.Percentiles(latencies)
	fmt.Printf("payslip handed in → recomputed month served, %d ops, %d concurrent clients, %d residents:\n", ops, workers, nResidents)
	fmt.Printf("  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms  (target p99 < 50 ms)\n",
		measure.MS(p50), measure.MS(p95), measure.MS(p99), measure.MS(maxd))
	fmt.Printf("  throughput %.0f ops/s (each op: one POST and one GET)\n", float64(ops)/elapsed.Seconds())
	return nil
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
	err := devapi.Call(client, http.MethodPost, api+"/residents/"+id+"/payslips", map[string]any{
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
	err = devapi.Call(client, http.MethodGet, api+"/residents/"+id+"/months/"+now.Format("2006-01")+"?purpose=belastingtest+payslip", nil, http.StatusOK, &month)
	if err == nil && month.Result.IncomeCents < net {
		err = errors.New("the month does not count the payslip just handed in")
	}
	return err
}
