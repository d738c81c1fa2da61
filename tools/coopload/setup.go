package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/tools/internal/devapi"
)

// gemeente is one tenant as the clients see it: its sessions and residents.
type gemeente struct {
	id, name string
	base     string       // plein dev's URL
	resident *http.Client // the demo resident's portal session (dev login "inwoner")
	staff    *http.Client // a consulent's session (dev login "consulent")
	demo     string       // the demo resident's id
	ids      []string     // the residents this run made
	csrf     string       // the resident session's CSRF token
}

func (g *gemeente) api() string { return g.base + "/api/v1/tenants/" + g.id }

func run(c config, work, bin string) error {
	tenants, ids, err := devapi.Tenants(work, devapi.CalcUnlimited)
	if err != nil {
		return err
	}
	t0 := time.Now()
	dev, err := devapi.Start(bin, work, tenants)
	if err != nil {
		return err
	}
	defer dev.Stop()
	fmt.Printf("plein dev with %d gemeenten ready in %.1f s\n", len(ids), time.Since(t0).Seconds())
	t0 = time.Now()
	gs, err := setupAll(dev.Base, tenants, ids, c)
	if err != nil {
		return err
	}
	fmt.Printf("%d gemeenten: signed in and %d residents made in each in %.1f s\n", len(gs), c.residents, time.Since(t0).Seconds())
	l := newLoad(c, gs, dev.DataDir)
	l.drive()
	lost, err := l.readBack()
	if err != nil {
		return err
	}
	return l.report(lost)
}

// setupAll prepares every gemeente, a few at a time.
func setupAll(base, tenantsDir string, ids []string, c config) ([]*gemeente, error) {
	gs := make([]*gemeente, len(ids))
	errs := make([]error, len(ids))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			gs[i], errs[i] = setup(base, tenantsDir, id, 30000+i*100, c)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ids[i], err)
		}
	}
	return gs, nil
}

var (
	nameRE = regexp.MustCompile(`(?m)^name:\s*(.+?)\s*$`)
	csrfRE = regexp.MustCompile(`name="` + auth.CSRFField + `" value="([^"]+)"`)
)

// setup signs in as the demo resident and a consulent of id, finds the demo resident
// and makes c.residents residents with BSNs from bsnFrom.
func setup(base, tenantsDir, id string, bsnFrom int, c config) (*gemeente, error) {
	b, err := os.ReadFile(filepath.Join(tenantsDir, id+".yaml"))
	if err != nil {
		return nil, err
	}
	m := nameRE.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("no name in %s.yaml", id)
	}
	g := &gemeente{id: id, name: strings.Trim(string(m[1]), `"'`), base: base}
	conns := max(2, c.workers/4)
	if g.resident, err = devapi.Login(base, id, "inwoner", conns); err != nil {
		return nil, err
	}
	if g.staff, err = devapi.Login(base, id, "consulent", conns); err != nil {
		return nil, err
	}
	var found struct {
		ID string `json:"id"`
	}
	search := map[string]string{"bsn": string(synth.DemoResident().BSN), "purpose": "belastingtest coopload"}
	if err := devapi.Call(g.staff, http.MethodPost, g.api()+"/residents/search", search, http.StatusOK, &found); err != nil {
		return nil, err
	}
	g.demo = found.ID
	if g.ids, err = devapi.CreateResidents(g.staff, g.api(), c.residents, bsnFrom); err != nil {
		return nil, err
	}
	a, err := devapi.Do(g.resident, http.MethodGet, base+"/t/"+id+"/loonstrook", "", nil)
	if err != nil || a.Status != http.StatusOK {
		return nil, fmt.Errorf("payslip form: status %d: %v", a.Status, err)
	}
	if m := csrfRE.FindSubmatch(a.Body); m != nil {
		g.csrf = string(m[1])
	} else {
		return nil, fmt.Errorf("no CSRF token on the payslip form")
	}
	return g, nil
}
