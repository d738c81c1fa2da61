// Package devapi holds what the load drivers in tools/ need of a running `plein dev` on
// this machine: start it on a fresh data directory with a copy of the gemeenten of
// tenants/, sign in with the local test login, call the JSON API and make residents.
package devapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/plein-nl/plein/tools/internal/measure"
)

// CalcUnlimited is a tenant config's rate_limits override that lifts the limit on
// month calculations (60 a minute per consulent, which protects the engine from one
// runaway client) for a load test, the way an operator would.
const CalcUnlimited = "\nrate_limits:\n  calc: {requests: 1000000, per: 1m}\n"

// Dev is a running `plein dev`.
type Dev struct {
	// Base is its URL, "http://127.0.0.1:port".
	Base string
	// DataDir is its data directory; the private PostgreSQL is in DataDir/postgres.
	DataDir string
	cmd     *exec.Cmd
}

// Start runs `plein dev` (bin) on a fresh data directory under work, on a free
// loopback port, with the tenant configs of tenantsDir, and waits for /readyz. Its
// output (errors only: PLEIN_LOG_LEVEL=error) goes to work/plein-dev.log.
func Start(bin, work, tenantsDir string) (*Dev, error) {
	addr, err := measure.FreeAddr()
	if err != nil {
		return nil, err
	}
	d := &Dev{Base: "http://" + addr, DataDir: filepath.Join(work, "data")}
	d.cmd = exec.Command(bin, "dev", "--data-dir", d.DataDir, "--http-addr", addr, "--tenants", tenantsDir)
	d.cmd.Env = append(os.Environ(), "PLEIN_LOG_LEVEL=error")
	logf, err := os.Create(filepath.Join(work, "plein-dev.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	if err := measure.WaitReady(addr, 3*time.Minute); err != nil {
		d.Stop()
		return nil, err
	}
	return d, nil
}

// Stop ends plein dev with SIGINT, as Ctrl-C would, and waits for it (and so for its
// PostgreSQL) to stop.
func (d *Dev) Stop() {
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	_ = d.cmd.Wait()
}

// Tenants copies the gemeenten of ./tenants (config and logo) to work/tenants and
// appends override to the config of each one named in only (every one when only is
// empty); it returns the directory and the ids copied.
func Tenants(work, override string, only ...string) (string, []string, error) {
	dir := filepath.Join(work, "tenants")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	files, err := os.ReadDir("tenants")
	if err != nil {
		return "", nil, err
	}
	var ids []string
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("tenants", f.Name()))
		if err != nil {
			return "", nil, err
		}
		if id, ok := strings.CutSuffix(f.Name(), ".yaml"); ok {
			ids = append(ids, id)
			if len(only) == 0 || contains(only, id) {
				b = append(b, override...)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), b, 0o644); err != nil {
			return "", nil, err
		}
	}
	return dir, ids, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Login signs in to gemeente t with the local test login as person (a key of the dev
// login: "inwoner", "consulent", …) and returns a client with its session cookie that
// follows no redirect and keeps up to conns idle connections.
func Login(base, t, person string, conns int) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: conns},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/t/"+t+"/login", strings.NewReader(url.Values{"person": {person}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("dev login %s as %s: status %d", t, person, resp.StatusCode)
	}
	return client, nil
}

// Answer is what a request got back.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request (a body of contentType when body is not nil) and returns the
// answer; err is a transport error only.
func Do(c *http.Client, method, u, contentType string, body []byte) (Answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, u, rd)
	if err != nil {
		return Answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if method != http.MethodGet {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return Answer{Status: resp.StatusCode, Header: resp.Header, Body: data}, err
}

// Call sends body (nil: none) as JSON and decodes the answer into out (nil: none); an
// answer with another status than want is an error that quotes it.
func Call(c *http.Client, method, u string, body any, want int, out any) error {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	a, err := Do(c, method, u, "application/json", b)
	if err != nil {
		return err
	}
	if a.Status != want {
		return fmt.Errorf("%s %s: status %d: %s", method, u, a.Status, a.Body)
	}
	if out != nil {
		return json.Unmarshal(a.Body, out)
	}
	return nil
}

// CreateResidents makes n single residents through the staff API at api
// (".../api/v1/tenants/<id>") with BSNs made from from, from+1, …, and returns their ids.
func CreateResidents(client *http.Client, api string, n, from int) ([]string, error) {
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		body := map[string]any{"name": fmt.Sprintf("Inwoner %d (test)", i), "birth_date": "1985-03-01",
			"bsn": BSN(from + i), "iban": "NL91ABNA0417164300", "household_kind": "single"}
		var out struct {
			ID string `json:"id"`
		}
		if err := Call(client, http.MethodPost, api+"/residents", body, http.StatusCreated, &out); err != nil {
			return nil, fmt.Errorf("create resident %d: %w", i, err)
		}
		ids = append(ids, out.ID)
	}
	return ids, nil
}

// BSN returns a 9-digit number that passes the 11-proef, made from n: different n
// (below 100,000) give different numbers.
func BSN(n int) string {
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
