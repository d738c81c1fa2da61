package synth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/residents"
)

const (
	demoEmployerID = "voorbeeld-werkgever"
	// demoCreditorID is a creditor of the national catalogue that reports arrears.
	demoCreditorID = "vitens"
)

// SeedDemo gives every gemeente of ids the demo resident (DemoResident), an employer
// and a creditor partner, once, and returns the people of the dev login per tenant:
// the resident (with their id) and one person per staff role. The partners' API keys
// go to dataDir/partner-keys.txt (none when dataDir is empty).
func SeedDemo(ctx context.Context, app *pgxpool.Pool, svc residents.Service, ids []tenant.ID, dataDir string) (map[tenant.ID][]auth.DevPerson, error) {
	people := map[tenant.ID][]auth.DevPerson{}
	var keys []string
	for _, t := range ids {
		id, k, err := seedDemoTenant(ctx, app, svc, t)
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", t, err)
		}
		keys = append(keys, k...)
		list := []auth.DevPerson{{Key: "inwoner", Label: "Sam de Vries (inwoner, voorbeeld)", Name: "Sam de Vries", Role: auth.RoleResident, ResidentID: id}}
		for _, p := range auth.DefaultDevPeople() {
			if p.Role != auth.RoleResident {
				list = append(list, p)
			}
		}
		people[t] = list
	}
	if len(keys) > 0 && dataDir != "" {
		f, err := os.OpenFile(filepath.Join(dataDir, "partner-keys.txt"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Join(keys, "\n") + "\n"); err != nil {
			return nil, err
		}
	}
	return people, nil
}

// seedDemoTenant finds t's demo resident, or makes it with the partners: it returns
// the resident's id and the lines of the partners' new API keys.
func seedDemoTenant(ctx context.Context, app *pgxpool.Pool, svc residents.Service, t tenant.ID) (string, []string, error) {
	demo := DemoResident()
	id, err := residents.NewPayeeReader(app).FirstNamed(ctx, t, demo.Name)
	if !errors.Is(err, residents.ErrNotFound) {
		return id, nil, err
	}
	r, err := svc.Create(ctx, t, demo)
	if err != nil {
		return "", nil, err
	}
	key, err := income.RegisterEmployer(ctx, app, t, demoEmployerID, "Voorbeeld Werkgever BV")
	if err != nil {
		return "", nil, err
	}
	ckey, err := debts.RegisterCreditorPartner(ctx, app, t, demoCreditorID, "Vitens N.V.")
	if err != nil {
		return "", nil, err
	}
	return r.ID, []string{fmt.Sprintf("%s employer %s %s", t, demoEmployerID, key),
		fmt.Sprintf("%s creditor %s %s", t, demoCreditorID, ckey)}, nil
}
