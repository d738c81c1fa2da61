package residents

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/audit/audittest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/platform/uuid"
	"github.com/plein-nl/plein/services/residents/internal/store"
)

const (
	enschede = tenant.ID("enschede")
	zwolle   = tenant.ID("zwolle")

	bsnA = "999993653"
	bsnB = "111222333"
	bsnC = "168888889"
	bsnD = "413827161"

	ibanOK  = "NL91ABNA0417164300"
	purpose = "zaak 2026-0042: herberekening"
)

// The principals of the tests.
var (
	consulentEnschede = authztest.Consulent(enschede)
	consulentZwolle   = authztest.Consulent(zwolle)
	adminEnschede     = authztest.Admin(enschede)
)

// clock is the tests' now: 2026-03-15 in Amsterdam.
var clock = func() time.Time { return time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC) }

type testBundle struct {
	d      *dbtest.DB
	raw    Service // no authorization: tests the database wall on its own
	svc    Service // the staff service, authorized by the real policy
	sealer *bsn.Sealer
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	sealer := bsntest.Sealer(t)
	raw := NewService(d.App, bsntest.Keyring(t), clock)
	return &testBundle{d: d, raw: raw, svc: NewAuthorizing(raw, authztest.New(t)), sealer: sealer}
}

// as signs in as p.
var as = authztest.As

func single(b string) NewResident {
	return NewResident{Name: "Fatima el Amrani", BirthDate: "1990-05-31", BSN: BSNInput(b), IBAN: ibanOK, Kind: "single"}
}

func couple() NewResident {
	return NewResident{
		Name: "Jan de Vries", BirthDate: "1985-02-01", BSN: bsnA, IBAN: "nl91 abna 0417 1643 00", Kind: "couple",
		NMonthsUsed: 2, RMonthsUsed: 0, MedischUrenbeperkt: true,
		Partner:  &NewPartner{Name: "Ayşe de Vries", BirthDate: "1987-11-30", BSN: bsnB, NMonthsUsed: ptr(5), RMonthsUsed: ptr(3)},
		Children: []NewChild{{BirthDate: "2015-06-01"}, {BirthDate: "2020-01-15"}},
		Housemates: []NewHousemate{{BirthDate: "1960-03-03", CostSharer: true, Description: "schoonmoeder"},
			{BirthDate: "2001-09-09", CostSharer: false, Description: "student, WSF"}},
	}
}

// ptr returns a pointer to n, for an input's optional counter.
func ptr(n int) *int { return &n }

func mustCreate(t *testing.T, s Service, ctx context.Context, tn tenant.ID, nr NewResident) Resident {
	t.Helper()
	r, err := s.Create(ctx, tn, nr)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return r
}

// date is a day the test writes out.
var date = clocktest.Date

// auditRows returns the audit entries of tenant tn for resident id.
func auditRows(t *testing.T, b *testBundle, tn tenant.ID, id string) []audit.Entry {
	t.Helper()
	out := audittest.Entries(t, b.d.App, tn, audit.Filter{ObjectType: "resident"})
	if id == "" {
		return out
	}
	return slices.DeleteFunc(out, func(e audit.Entry) bool { return e.ObjectID != id })
}

func TestCreateGetUpdateRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)

	created := mustCreate(t, b.svc, ctx, enschede, couple())
	if !uuid.Valid(created.ID) || created.Version != 1 || created.CreatedAt.IsZero() {
		t.Fatalf("created = id %q version %d created %v; want a UUID, version 1, a time", created.ID, created.Version, created.CreatedAt)
	}
	got, err := b.svc.Get(ctx, enschede, created.ID, purpose)
	if err != nil {
		t.Fatal(err)
	}
	want := Resident{
		ID: created.ID, Name: "Jan de Vries", BirthDate: date("1985-02-01"), IBAN: "NL91ABNA0417164300",
		Kind: bijstand.KindCouple, Counters: Counters{NMonthsUsed: 2, MedischUrenbeperkt: true},
		Partner:    &Partner{Name: "Ayşe de Vries", BirthDate: date("1987-11-30"), Counters: Counters{NMonthsUsed: 5, RMonthsUsed: 3}},
		Children:   []Child{{date("2015-06-01")}, {date("2020-01-15")}},
		Housemates: []Housemate{{date("1960-03-03"), true, "schoonmoeder"}, {date("2001-09-09"), false, "student, WSF"}},
		Version:    1, CreatedAt: created.CreatedAt, UpdatedAt: created.UpdatedAt,
	}
	want.BSN, _ = bsn.Parse(bsnA)
	want.Partner.BSN, _ = bsn.Parse(bsnB)
	if diff := compare(got, want); diff != "" {
		t.Fatalf("get after create: %s", diff)
	}

	// Update: counters, name, children cleared, housemates replaced; the partner stays.
	name, n := "Jan de Vries-Bakker", 3
	up, err := b.svc.Update(ctx, enschede, created.ID, 1, Changes{Name: &name, NMonthsUsed: &n,
		Children: &[]NewChild{}, Housemates: &[]NewHousemate{{BirthDate: "1970-01-01", CostSharer: true, Description: "broer"}}})
	if err != nil {
		t.Fatal(err)
	}
	want.Name, want.NMonthsUsed, want.Version = name, 3, 2
	want.Children, want.Housemates = []Child{}, []Housemate{{date("1970-01-01"), true, "broer"}}
	want.UpdatedAt = up.UpdatedAt
	if diff := compare(up, want); diff != "" {
		t.Fatalf("after update: %s", diff)
	}
	got, err = b.svc.Get(ctx, enschede, created.ID, purpose)
	if err != nil {
		t.Fatal(err)
	}
	if diff := compare(got, want); diff != "" {
		t.Fatalf("get after update: %s", diff)
	}

	// The couple splits: single, partner removed.
	kind := "single"
	up, err = b.svc.Update(ctx, enschede, created.ID, 2, Changes{Kind: &kind, RemovePartner: true})
	if err != nil {
		t.Fatal(err)
	}
	if up.Partner != nil || up.Kind != bijstand.KindSingle || up.Version != 3 {
		t.Fatalf("after split: partner %v kind %s version %d; want none, single, 3", up.Partner, up.Kind, up.Version)
	}
	// The former partner's BSN is free again.
	mustCreate(t, b.svc, ctx, enschede, single(bsnB))
}

// compare returns "" when got equals want, else what differs (BSNs compare masked
// in the text but by value).
func compare(got, want Resident) string {
	norm := func(r Resident) Resident {
		if r.Children == nil {
			r.Children = []Child{}
		}
		if r.Housemates == nil {
			r.Housemates = []Housemate{}
		}
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC().Truncate(time.Microsecond), r.UpdatedAt.UTC().Truncate(time.Microsecond)
		return r
	}
	g, w := norm(got), norm(want)
	gp, wp := g.Partner, w.Partner
	g.Partner, w.Partner = nil, nil
	var diffs []string
	if fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w) || g.BSN != w.BSN {
		diffs = append(diffs, fmt.Sprintf("resident\n got %+v\nwant %+v", g, w))
	}
	if (gp == nil) != (wp == nil) || gp != nil && *gp != *wp {
		diffs = append(diffs, fmt.Sprintf("partner\n got %+v\nwant %+v", gp, wp))
	}
	return fmt.Sprint(diffs)[1 : len(fmt.Sprint(diffs))-1]
}

func TestBSNSealedAtRestAndFound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple())

	// As the owner of the table (in the tenant: RLS is forced on the owner too).
	err := db.InTenant(tenant.WithID(context.Background(), enschede), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		var sealed, index, psealed, pindex []byte
		var row string
		if err := tx.QueryRow(ctx, `SELECT bsn_sealed, bsn_index, partner_bsn_sealed, partner_bsn_index, residents::text
			FROM residents WHERE id = $1`, r.ID).Scan(&sealed, &index, &psealed, &pindex, &row); err != nil {
			return err
		}
		for _, col := range [][]byte{sealed, index, psealed, pindex, []byte(row)} {
			for _, digits := range []string{bsnA, bsnB} {
				if bytes.Contains(col, []byte(digits)) {
					t.Errorf("a stored column holds the BSN %s in the clear", digits)
				}
			}
		}
		if !bytes.Equal(index, b.sealer.BlindIndex(r.BSN)) {
			t.Error("bsn_index is not the blind index of the BSN")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, in := range []string{bsnA, "9999 93 653", bsnB} {
		got, err := b.svc.FindByBSN(ctx, enschede, in, purpose)
		if err != nil {
			t.Fatalf("find %s: %v", BSNInput(in), err)
		}
		if got.ID != r.ID {
			t.Errorf("find %s = %s, want %s", BSNInput(in), got.ID, r.ID)
		}
	}
	if _, err := b.svc.FindByBSN(ctx, enschede, bsnC, purpose); !errors.Is(err, ErrNotFound) {
		t.Errorf("find unknown BSN: err = %v, want ErrNotFound", err)
	}
}

func TestDuplicateBSN(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	mustCreate(t, b.svc, ctx, enschede, couple()) // bsnA resident, bsnB partner

	for name, nr := range map[string]NewResident{
		"resident's BSN again":      single(bsnA),
		"partner's BSN as resident": single(bsnB),
		"resident's BSN as partner": func() NewResident {
			c := couple()
			c.BSN, c.Partner.BSN = bsnC, bsnA
			return c
		}(),
	} {
		if _, err := b.svc.Create(ctx, enschede, nr); !errors.Is(err, ErrDuplicateBSN) {
			t.Errorf("%s: err = %v, want ErrDuplicateBSN", name, err)
		}
	}
	// An update may not take another case's BSN either, nor is the case's own BSN a duplicate.
	other := mustCreate(t, b.svc, ctx, enschede, single(bsnC))
	taken, own := BSNInput(bsnB), BSNInput(bsnC)
	if _, err := b.svc.Update(ctx, enschede, other.ID, 1, Changes{BSN: &taken}); !errors.Is(err, ErrDuplicateBSN) {
		t.Errorf("update to a taken BSN: err = %v, want ErrDuplicateBSN", err)
	}
	if _, err := b.svc.Update(ctx, enschede, other.ID, 1, Changes{BSN: &own}); err != nil {
		t.Errorf("update to its own BSN: %v", err)
	}
	// The unique constraint holds without the service's check as well.
	err := db.InTenant(tenant.WithID(context.Background(), enschede), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		st := &unit{st: store.New(tx, enschede), tenant: enschede, sealer: b.sealer}
		r := Resident{ID: "00000000-0000-4000-8000-000000000000", Name: "x", BirthDate: date("1990-01-01"), IBAN: ibanOK,
			Kind: bijstand.KindSingle, Version: 1, CreatedAt: clock(), UpdatedAt: clock()}
		r.BSN, _ = bsn.Parse(bsnA)
		return st.insert(ctx, r)
	})
	if !errors.Is(err, ErrDuplicateBSN) {
		t.Errorf("insert past the check: err = %v, want ErrDuplicateBSN from the constraint", err)
	}
	// Another gemeente may have a resident with the same BSN: uniqueness is per tenant.
	mustCreate(t, b.svc, as(consulentZwolle), zwolle, single(bsnA))
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, couple())

	// Without the authorizing decorator, only the database wall stands: RLS.
	ctx := as(consulentZwolle)
	name := "x y"
	for call, err := range map[string]error{
		"Get": func() error { _, err := b.raw.Get(ctx, zwolle, r.ID, purpose); return err }(),
		"FindByBSN": func() error {
			_, err := b.raw.FindByBSN(ctx, zwolle, bsnA, purpose)
			return err
		}(),
		"Update":    func() error { _, err := b.raw.Update(ctx, zwolle, r.ID, 1, Changes{Name: &name}); return err }(),
		"Household": func() error { _, err := b.raw.Household(ctx, zwolle, r.ID); return err }(),
		"HouseholdAsOf": func() error {
			_, err := b.raw.HouseholdAsOf(ctx, zwolle, r.ID, bijstand.Period{Year: 2026, Month: time.March})
			return err
		}(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of enschede's resident via zwolle: err = %v, want ErrNotFound", call, err)
		}
	}
	if rows := auditRows(t, b, zwolle, ""); len(rows) != 0 {
		t.Errorf("zwolle has %d audit rows after reads that found nothing, want 0", len(rows))
	}
	// And enschede's resident is unchanged.
	got, err := b.svc.Get(as(consulentEnschede), enschede, r.ID, purpose)
	if err != nil || got.Name != "Jan de Vries" || got.Version != 1 {
		t.Errorf("enschede's resident after zwolle's attempts: %v, %v; want unchanged", got.Name, err)
	}
}

func TestReadsAreAudited(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, couple())
	if rows := auditRows(t, b, enschede, r.ID); len(rows) != 0 {
		t.Fatalf("create left %d read audit rows, want 0", len(rows))
	}

	reads := []struct {
		name string
		p    authz.Principal
		read func(ctx context.Context) error
	}{
		{"Get", consulentEnschede, func(ctx context.Context) error {
			_, err := b.svc.Get(ctx, enschede, r.ID, "  "+purpose+"  ")
			return err
		}},
		{"FindByBSN", adminEnschede, func(ctx context.Context) error {
			_, err := b.svc.FindByBSN(ctx, enschede, bsnB, purpose)
			return err
		}},
	}
	for i, rd := range reads {
		if err := rd.read(as(rd.p)); err != nil {
			t.Fatalf("%s: %v", rd.name, err)
		}
		rows := auditRows(t, b, enschede, r.ID)
		if len(rows) != i+1 {
			t.Fatalf("after %s: %d audit rows, want %d", rd.name, len(rows), i+1)
		}
		e := rows[0] // newest first
		want := audit.Entry{ID: e.ID, Tenant: enschede, At: e.At, Actor: rd.p.Subject, Role: string(rd.p.Roles[0]),
			Action: "resident.read", ObjectType: "resident", ObjectID: r.ID, Purpose: purpose, RequestID: "req-" + rd.p.Subject}
		if e != want {
			t.Errorf("%s audit entry\n got %+v\nwant %+v", rd.name, e, want)
		}
	}
	// A read that finds nothing leaves nothing: the transaction rolls back.
	if _, err := b.svc.Get(as(consulentEnschede), enschede, "00000000-0000-4000-8000-000000000000", purpose); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get unknown: %v", err)
	}
	if rows := auditRows(t, b, enschede, ""); len(rows) != 2 {
		t.Errorf("%d audit rows, want still 2", len(rows))
	}
}

func TestReadWithoutPurpose(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple())

	for _, p := range []string{"", "   \t"} {
		got, err := b.svc.Get(ctx, enschede, r.ID, p)
		if !errors.Is(err, ErrPurposeRequired) || !errors.Is(err, ErrInvalid) || got.ID != "" || got.Name != "" {
			t.Errorf("Get with purpose %q: %+v, %v; want no data and ErrPurposeRequired", p, got.ID, err)
		}
		got, err = b.svc.FindByBSN(ctx, enschede, bsnA, p)
		if !errors.Is(err, ErrPurposeRequired) || got.ID != "" {
			t.Errorf("FindByBSN with purpose %q: %+v, %v; want no data and ErrPurposeRequired", p, got.ID, err)
		}
	}
	for _, p := range []string{"abc", string(bytes.Repeat([]byte("x"), 301))} {
		_, err := b.svc.Get(ctx, enschede, r.ID, p)
		var ve *httpapi.ValidationError
		if !errors.As(err, &ve) || errors.Is(err, ErrPurposeRequired) || ve.Fields[0].Field != "purpose" {
			t.Errorf("Get with a purpose of %d characters: %v; want a validation error on purpose", len(p), err)
		}
	}
	if rows := auditRows(t, b, enschede, ""); len(rows) != 0 {
		t.Errorf("%d audit rows after reads without a valid purpose, want 0", len(rows))
	}
	// Without a principal there is nobody to record, so no read either.
	if _, err := b.raw.Get(context.Background(), enschede, r.ID, purpose); !errors.Is(err, authz.ErrUnauthenticated) {
		t.Errorf("raw Get without principal: %v, want ErrUnauthenticated", err)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)

	tests := []struct {
		name   string
		modify func(*NewResident)
		fields []string
	}{
		{"empty name", func(n *NewResident) { n.Name = " " }, []string{"name"}},
		{"long name", func(n *NewResident) { n.Name = string(bytes.Repeat([]byte("a"), 201)) }, []string{"name"}},
		{"name with control character", func(n *NewResident) { n.Name = "Jan\x00" }, []string{"name"}},
		{"no birth date", func(n *NewResident) { n.BirthDate = "" }, []string{"birth_date"}},
		{"not a date", func(n *NewResident) { n.BirthDate = "1990-02-30" }, []string{"birth_date"}},
		{"other date format", func(n *NewResident) { n.BirthDate = "31-05-1990" }, []string{"birth_date"}},
		{"birth before 1900", func(n *NewResident) { n.BirthDate = "1899-12-31" }, []string{"birth_date"}},
		{"birth in the future", func(n *NewResident) { n.BirthDate = "2026-03-16" }, []string{"birth_date"}},
		{"bsn 11-proef", func(n *NewResident) { n.BSN = "123456789" }, []string{"bsn"}},
		{"bsn letters", func(n *NewResident) { n.BSN = "12345678a" }, []string{"bsn"}},
		{"bsn empty", func(n *NewResident) { n.BSN = "" }, []string{"bsn"}},
		{"iban checksum", func(n *NewResident) { n.IBAN = "NL50BANK1234567890" }, []string{"iban"}},
		{"iban empty", func(n *NewResident) { n.IBAN = "" }, []string{"iban"}},
		{"kind", func(n *NewResident) { n.Kind = "married" }, []string{"household_kind"}},
		{"counter negative", func(n *NewResident) { n.NMonthsUsed = -1 }, []string{"n_months_used"}},
		{"counter too big", func(n *NewResident) { n.RMonthsUsed = 1001 }, []string{"r_months_used"}},
		{"couple without partner", func(n *NewResident) { n.Partner = nil }, []string{"partner"}},
		{"single with partner", func(n *NewResident) { n.Kind = "single" }, []string{"partner"}},
		{"partner with own BSN", func(n *NewResident) { n.Partner.BSN = n.BSN }, []string{"partner.bsn"}},
		{"partner fields", func(n *NewResident) {
			n.Partner.Name, n.Partner.BirthDate, n.Partner.BSN, n.Partner.NMonthsUsed = "", "2030-01-01", "123456789", ptr(-3)
		}, []string{"partner.name", "partner.birth_date", "partner.bsn", "partner.n_months_used"}},
		{"child birth date", func(n *NewResident) { n.Children[1].BirthDate = "2027-01-01" }, []string{"children[1].birth_date"}},
		{"housemate", func(n *NewResident) {
			n.Housemates[0].BirthDate = "x"
			n.Housemates[1].Description = string(bytes.Repeat([]byte("b"), 101))
		}, []string{"housemates[0].birth_date", "housemates[1].description"}},
		{"too many children", func(n *NewResident) { n.Children = make([]NewChild, 21) }, []string{"children"}},
		{"everything at once", func(n *NewResident) {
			*n = NewResident{BSN: "1", IBAN: "x", Kind: "x", NMonthsUsed: -1}
		}, []string{"name", "birth_date", "bsn", "iban", "household_kind", "n_months_used"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			nr := couple()
			nr.Children = slices.Clone(nr.Children)
			nr.Housemates = slices.Clone(nr.Housemates)
			p := *nr.Partner
			nr.Partner = &p
			tt.modify(&nr)
			_, err := b.svc.Create(ctx, enschede, nr)
			ve := httpapitest.CheckValidation(t, err, tt.fields)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, digits := range []string{bsnA, bsnB, "123456789", ibanOK} {
				if bytes.Contains([]byte(err.Error()+ve.Dutch(dutchNames)), []byte(digits)) {
					t.Errorf("error text holds input %s: %s", digits, err)
				}
			}
		})
	}

	t.Run("Dutch message of a bad BSN", func(t *testing.T) {
		t.Parallel()
		_, err := b.svc.Create(ctx, enschede, single("123456789"))
		var ve *httpapi.ValidationError
		if !errors.As(err, &ve) {
			t.Fatal(err)
		}
		want := httpapi.FieldError{Field: "bsn", EN: "BSN fails the 11-proef", NL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."}
		if ve.Fields[0] != want {
			t.Errorf("problem = %+v, want %+v", ve.Fields[0], want)
		}
	})

	t.Run("update", func(t *testing.T) {
		t.Parallel()
		r := mustCreate(t, b.svc, ctx, enschede, single(bsnD))
		bad, kind, neg := "2999-01-01", "couple", -1
		_, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{BirthDate: &bad, RMonthsUsed: &neg,
			Children: &[]NewChild{{BirthDate: ""}}})
		var ve *httpapi.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 3 {
			t.Fatalf("err = %v, want 3 problems", err)
		}
		// Valid on its own, invalid as a whole: a couple without a partner.
		_, err = b.svc.Update(ctx, enschede, r.ID, 1, Changes{Kind: &kind})
		if !errors.As(err, &ve) || ve.Fields[0].Field != "partner" {
			t.Fatalf("couple without partner: err = %v, want a problem on partner", err)
		}
		if got, _ := b.svc.Get(ctx, enschede, r.ID, purpose); got.Version != 1 {
			t.Errorf("version after refused updates = %d, want 1", got.Version)
		}
	})
}

func TestBSNInputIsMasked(t *testing.T) {
	t.Parallel()
	nr := single(bsnA)
	nr.Partner = &NewPartner{BSN: bsnB}
	for _, s := range []string{fmt.Sprintf("%v %+v %s %d", nr, nr, nr.BSN, nr.BSN), fmt.Sprintf("%+v", *nr.Partner)} {
		if bytes.Contains([]byte(s), []byte(bsnA)) || bytes.Contains([]byte(s), []byte(bsnB)) {
			t.Errorf("printed input holds a BSN: %s", s)
		}
	}
}

func TestOptimisticConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, single(bsnA))

	one, two := 1, 2
	if _, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{NMonthsUsed: &one}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{NMonthsUsed: &two}); !errors.Is(err, ErrVersionConflict) {
		t.Fatalf("stale update: err = %v, want ErrVersionConflict", err)
	}

	// Racing writers at the same version: exactly one wins.
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			v := i
			_, errs[i] = b.svc.Update(ctx, enschede, r.ID, 2, Changes{RMonthsUsed: &v})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrVersionConflict):
			t.Errorf("racing update: %v", err)
		}
	}
	got, err := b.svc.Get(ctx, enschede, r.ID, purpose)
	if err != nil {
		t.Fatal(err)
	}
	if won != 1 || got.Version != 3 || got.NMonthsUsed != 1 {
		t.Errorf("%d racing updates won, version %d, n %d; want 1, 3, 1", won, got.Version, got.NMonthsUsed)
	}
}

func TestHousehold(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)

	s := single(bsnA)
	s.Institution = true
	s.NMonthsUsed = 6
	parent := single(bsnC)
	parent.Kind, parent.RMonthsUsed = "single_parent", 4
	parent.Children = []NewChild{{BirthDate: "2018-04-04"}, {BirthDate: "2010-10-10"}}
	parent.Housemates = []NewHousemate{{BirthDate: "1990-01-01", CostSharer: true, Description: "broer"}}
	cp := couple()
	cp.BSN, cp.Partner.BSN = bsnB, bsnD
	cp.ParentsCannotSupport = true

	tests := []struct {
		name string
		in   NewResident
		want bijstand.Household
	}{
		{"single", s, bijstand.Household{Kind: bijstand.KindSingle, Institution: true,
			Applicants: []bijstand.Applicant{{BirthDate: date("1990-05-31"), NMonthsUsed: 6}}}},
		{"single parent with children", parent, bijstand.Household{Kind: bijstand.KindSingleParent,
			Applicants: []bijstand.Applicant{{BirthDate: date("1990-05-31"), RMonthsUsed: 4}},
			Children:   []bijstand.Child{{BirthDate: date("2018-04-04")}, {BirthDate: date("2010-10-10")}},
			Housemates: []bijstand.Housemate{{BirthDate: date("1990-01-01"), CostSharer: true}}}},
		{"couple", cp, bijstand.Household{Kind: bijstand.KindCouple, ParentsCannotSupport: true,
			Applicants: []bijstand.Applicant{
				{BirthDate: date("1985-02-01"), NMonthsUsed: 2, MedischUrenbeperkt: true},
				{BirthDate: date("1987-11-30"), NMonthsUsed: 5, RMonthsUsed: 3}},
			Children: []bijstand.Child{{BirthDate: date("2015-06-01")}, {BirthDate: date("2020-01-15")}},
			Housemates: []bijstand.Housemate{{BirthDate: date("1960-03-03"), CostSharer: true},
				{BirthDate: date("2001-09-09")}}}},
	}
	for _, tt := range tests {
		r := mustCreate(t, b.svc, ctx, enschede, tt.in)
		// The engine's read needs no principal: it is the system's own use.
		got, err := b.raw.Household(context.Background(), enschede, r.ID)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	if rows := auditRows(t, b, enschede, ""); len(rows) != 0 {
		t.Errorf("Household left %d audit rows, want 0", len(rows))
	}
}

func TestGetForSelf(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, single(bsnA))
	self := authztest.Resident(enschede, "digid-1", r.ID)

	got, err := b.svc.GetForSelf(as(self), enschede, r.ID)
	if err != nil || got.ID != r.ID {
		t.Fatalf("own data: %v, %v", got.ID, err)
	}
	other := self
	other.ResidentID = "00000000-0000-4000-8000-000000000000"
	elsewhere := self
	elsewhere.Tenant = zwolle
	for name, tc := range map[string]struct {
		ctx  context.Context
		want error
	}{
		"another resident":     {as(other), authz.ErrForbidden},
		"a consulent":          {as(consulentEnschede), authz.ErrForbidden},
		"a resident of zwolle": {as(elsewhere), authz.ErrForbidden},
		"no principal":         {context.Background(), authz.ErrUnauthenticated},
	} {
		if _, err := b.svc.GetForSelf(tc.ctx, enschede, r.ID); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if rows := auditRows(t, b, enschede, ""); len(rows) != 0 {
		t.Errorf("GetForSelf left %d audit rows, want 0", len(rows))
	}
}

// recordingAuthorizer allows everything and records what it was asked.
type recordingAuthorizer struct {
	mu    sync.Mutex
	asked []string
}

func (r *recordingAuthorizer) Authorize(_ context.Context, _ authz.Principal, target tenant.ID, obj authz.Object, act authz.Action) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked = append(r.asked, string(target)+" "+string(obj)+":"+string(act))
	return nil
}

func TestAuthorizingAsksForEachMethodsPermission(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, single(bsnA))
	name := "Nieuwe Naam"
	tests := []struct {
		name string
		call func(Service) error
		want []string
	}{
		{"Create", func(s Service) error { _, err := s.Create(ctx, enschede, single(bsnB)); return err }, []string{"enschede resident:write"}},
		{"Get", func(s Service) error { _, err := s.Get(ctx, enschede, r.ID, purpose); return err }, []string{"enschede resident:read"}},
		{"FindByBSN", func(s Service) error { _, err := s.FindByBSN(ctx, enschede, bsnA, purpose); return err }, []string{"enschede resident:read"}},
		{"Update", func(s Service) error { _, err := s.Update(ctx, enschede, r.ID, 1, Changes{Name: &name}); return err }, []string{"enschede resident:write"}},
		{"Household", func(s Service) error { _, err := s.Household(ctx, enschede, r.ID); return err }, nil},
	}
	for _, tt := range tests {
		az := &recordingAuthorizer{}
		if err := tt.call(NewAuthorizing(b.raw, az)); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !slices.Equal(az.asked, tt.want) {
			t.Errorf("%s asked %q, want %q", tt.name, az.asked, tt.want)
		}
	}
}

func TestAuthorizationWall(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := mustCreate(t, b.svc, as(consulentEnschede), enschede, single(bsnA))
	name := "x y"
	for _, tc := range []struct {
		name string
		p    authz.Principal
		call func(ctx context.Context) error
		want error
	}{
		{"zwolle reads enschede", consulentZwolle, func(ctx context.Context) error { _, err := b.svc.Get(ctx, enschede, r.ID, purpose); return err }, authz.ErrForbidden},
		{"zwolle finds in enschede", consulentZwolle, func(ctx context.Context) error {
			_, err := b.svc.FindByBSN(ctx, enschede, bsnA, purpose)
			return err
		}, authz.ErrForbidden},
		{"zwolle writes enschede", consulentZwolle, func(ctx context.Context) error {
			_, err := b.svc.Update(ctx, enschede, r.ID, 1, Changes{Name: &name})
			return err
		}, authz.ErrForbidden},
		{"tenant-admin creates", adminEnschede, func(ctx context.Context) error { _, err := b.svc.Create(ctx, enschede, single(bsnB)); return err }, authz.ErrForbidden},
		{"nobody reads", authz.Principal{}, func(ctx context.Context) error { _, err := b.svc.Get(ctx, enschede, r.ID, purpose); return err }, authz.ErrUnauthenticated},
	} {
		if err := tc.call(as(tc.p)); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
