package main

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/paymentplans"
)

// The fixture loader writes the caseload of a settlement benchmark straight into the
// tables, as `plein seed` would leave them through the services' APIs but without a
// call, a transaction and a round trip per row: 50,000 residents per transaction, two
// transactions at a time, each table's rows in one statement per 2,500 residents.
//
// The pool is plein_app's, under row-level security, and PostgreSQL refuses COPY FROM
// into a table with row-level security for such a role. So the rows are encoded here
// in the binary COPY format, copied with pgx's PgConn.CopyFrom into temporary tables
// (which have none), and moved on with INSERT … SELECT, which checks every policy,
// CHECK, unique index and foreign key as any insert of the services does. Those
// checks, not Go, are what a load costs: about 30 µs of PostgreSQL per plan row on
// this machine (heap 4, CHECKs 6, two indexes 10, the foreign key 12), where drawing,
// sealing and encoding a whole resident takes Go about 13 µs (BenchmarkFixtureDraw).
//
// Every CHECK of the schema and every rule of the services holds: valid and unique
// BSNs sealed with the tenant as associated data and indexed with the sealer's blind
// index, mod-97 IBANs, UUIDv4 ids, references that fit their creditor's pattern, plan
// amounts below the resident's norm, and the acts of a plan as Request and Approve
// record them (plan_events; audit_log and outbound_messages by choice, see
// fixtureOptions).
//
// The people are drawn from PCG streams keyed by the seed, the tenant and the chunk,
// so the same seed and number of residents in the same tenant give the same caseload:
// the same ids, names, dates and amounts. Only the sealed BSNs differ (each seal has a
// random nonce), and the timestamps when the period lies ahead (see asOfFor).

// Size of the work [policy for benchmarks].
const (
	// fixtureChunk residents go into one transaction.
	fixtureChunk = 50000
	// fixtureWorkers chunks are loaded at the same time, one per core here: PostgreSQL
	// inserts a transaction's rows on one core.
	fixtureWorkers = 2
)

// Household mix and shares [policy for benchmarks], exact per chunk (rounded).
const (
	fxShareSingle       = 0.55
	fxShareSingleParent = 0.20
	fxShareCouple       = 0.15 // the rest, about 10 %, are singles with a kostendeler
	fxShareWork         = 0.40 // a payslip paid in the period
	// fxShareUnbudgeted of the workers earn what they earn: their deductions may not
	// all fit (shortfalls). The others earn at most what leaves a payout.
	fxShareUnbudgeted = 0.10
)

// Kinds of household drawn.
const (
	fxSingle = iota
	fxSingleParent
	fxCouple
	fxKostendeler // single with a kostendelende medebewoner aged 27+
)

// Priorities as the seed and the portal give them, and the actors of the acts: a
// consulent working from signed paper mandates for the fixed costs, the
// schuldregeling's system actor for an aflossing (services/plein).
const (
	fxPriorityRent      = 10
	fxPriorityZorg      = 20
	fxPriorityAflossing = 50
	fxAflossingMonths   = 18 // the minnelijk traject
	fxSeeder            = "system:seed"
	fxSchuldregeling    = "system:schuldregeling"
	fxRole              = "consulent"
	fxPayslipSource     = "consulent"
)

// fxCorporations are the tenant's woningcorporaties, made when missing exactly as
// `plein seed` makes them: names marked as examples, IBANs with the fictitious bank
// code XMPL.
var fxCorporations = []struct{ name, account string }{
	{"Woonstichting De Stadspoort (voorbeeld)", "0000002001"},
	{"Woningcorporatie Het Volkshuis (voorbeeld)", "0000002002"},
	{"Wooncoöperatie Samen Thuis (voorbeeld)", "0000002003"},
}

// fxZorg are the zorgverzekeraars of the catalogue, weighted roughly by market share.
var fxZorg = []struct {
	id     string
	weight int
}{{"zilveren-kruis", 30}, {"cz", 20}, {"vgz", 20}, {"menzis", 12}, {"dsw", 7}, {"zorg-en-zekerheid", 5}, {"asr", 4}, {"onvz", 2}}

// fxUtilities are the energy and water companies of the catalogue an aflossing pays.
var fxUtilities = []string{"vattenfall", "eneco", "essent", "greenchoice", "vitens", "evides", "brabant-water"}

var (
	fxFirstF = []string{"Anna", "Emma", "Sanne", "Lisa", "Fatima", "Samira", "Sevda", "Priya", "Maria", "Joyce",
		"Ingrid", "Els", "Marieke", "Noor", "Yasmina", "Aylin", "Chantal", "Petra", "Ilse", "Khadija", "Monique", "Tamara"}
	fxFirstM = []string{"Jan", "Peter", "Mohamed", "Mustafa", "Kees", "Dennis", "Ricardo", "Youssef", "Henk", "Bram",
		"Thijs", "Ahmet", "Stefan", "Marco", "Ruben", "Erik", "Hamza", "Gerrit", "Sven", "Kevin", "Ramon", "Wim"}
	fxLast = []string{"de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "van der Berg", "Mulder",
		"de Boer", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Kok", "Postma", "El Amrani", "Yilmaz", "Bouzid",
		"Kaya", "Ramdin", "Pinas", "van Leeuwen", "Brouwer", "Dekker", "Wijnands", "Hoekstra", "Kramer", "Veenstra",
		"Ait Taleb", "Öztürk", "Nijenhuis", "Scholten", "Koster", "Haverkamp"}
	fxEmployers = []string{"Supermarkt De Korenbloem", "Schoonmaakbedrijf Glans B.V.", "Bezorgdienst Vlot B.V.",
		"Thuiszorg De Linde", "Uitzendbureau Werkt! B.V.", "Eetcafé Het Plein", "Kinderopvang Het Speelhuis",
		"Distributiecentrum Noord B.V.", "Groenvoorziening Buiten B.V.", "Kringloopwinkel De Tweede Kans"}
	fxBanks = []struct {
		code   string
		weight int
	}{{"INGB", 38}, {"RABO", 27}, {"ABNA", 20}, {"SNSB", 7}, {"ASNB", 3}, {"BUNQ", 3}, {"TRIO", 2}}
	fxHousemateOlder   = []string{"moeder", "vader"}
	fxHousemateYounger = []string{"zoon", "dochter"}
	fxHousematePeer    = []string{"broer", "zus", "vriend", "vriendin", "neef", "nicht"}
)

// fixtureStats is what loadFixture wrote.
type fixtureStats struct {
	Residents, Payslips, Plans int
	Elapsed                    time.Duration
}

// loadFixture writes n residents of tenant t for period with exactly three approved,
// active deductions each:
//   - zorgpremie on_behalf to a zorgverzekeraar of the national creditor catalogue,
//     with a reference (polisnummer, relatienummer) valid for that creditor's pattern,
//   - rent (huur) on_behalf to a woningcorporatie of the tenant (the 3 of `plein seed`,
//     made through services/creditors when missing),
//   - aflossing to an energy or water company of the catalogue, for 18 months,
//
// with a household mix like `plein seed` (singles, single parents with children,
// couples, singles with a kostendeler), 40 % with a payslip paid in the period, and
// amounts such that most residents get bijstand > 0 and a payout > 0. Deterministic
// given seed (see the comment at the top of the file). pool is a pool of plein_app;
// t must exist, period must have bijstand norms. Loading the same seed and n twice into
// one tenant fails: the ids are the same. A load that fails keeps the chunks it
// committed before the failure.
//
// Beside the cases, the payslips and the plans it writes each plan's history
// (defaultFixture); loadFixtureWith chooses.
func loadFixture(ctx context.Context, pool *pgxpool.Pool, sealer *bsn.Sealer, t tenant.ID, n int, period bijstand.Period, seed uint64) (fixtureStats, error) {
	return loadFixtureWith(ctx, pool, sealer, t, n, period, seed, defaultFixture)
}

// fixtureOptions choose what a load writes beside the cases, the payslips and the
// plans, which it always writes. Each adds rows that the settlement does not read
// but that paymentplans.Request and Approve write with a plan; each costs about as
// much to insert as the plans themselves (two rows a plan for Events and Audit, one
// for Messages).
type fixtureOptions struct {
	// Events: each plan's history, its request and approve acts (plan_events), as
	// paymentplans.Events returns it.
	Events bool
	// Messages: each plan's start message to its creditor (outbound_messages), as
	// paymentplans.Export returns it.
	Messages bool
	// Audit: the audit entries of those acts (audit_log).
	Audit bool
}

var (
	// defaultFixture adds the plans' history to what the settlement reads.
	defaultFixture = fixtureOptions{Events: true}
	// fullFixture is everything Request and Approve leave behind.
	fullFixture = fixtureOptions{Events: true, Messages: true, Audit: true}
	// leanFixture is what the settlement reads, the fastest to load.
	leanFixture = fixtureOptions{}
)

// loadFixtureWith is loadFixture writing what o chooses.
func loadFixtureWith(ctx context.Context, pool *pgxpool.Pool, sealer *bsn.Sealer, t tenant.ID, n int, period bijstand.Period,
	seed uint64, o fixtureOptions) (fixtureStats, error) {
	start := time.Now()
	switch {
	case !t.Valid():
		return fixtureStats{}, fmt.Errorf("fixture: %w", tenant.ErrInvalidID)
	case n < 0:
		return fixtureStats{}, fmt.Errorf("fixture: %d residents", n)
	case sealer == nil:
		return fixtureStats{}, errors.New("fixture: a BSN sealer is required")
	}
	book, err := law.Load()
	if err != nil {
		return fixtureStats{}, fmt.Errorf("fixture: %w", err)
	}
	params, err := book.At(period.First())
	if err != nil {
		return fixtureStats{}, fmt.Errorf("fixture: period %s: %w", period, err)
	}
	cr, err := fixtureCreditors(ctx, pool, t)
	if err != nil {
		return fixtureStats{}, err
	}
	taken, err := takenBSNs(ctx, pool, t)
	if err != nil {
		return fixtureStats{}, err
	}
	asOf := asOfFor(period, time.Now())
	h := fnv.New64a()
	h.Write([]byte(t))
	streamKey := h.Sum64()

	// At least fixtureWorkers chunks, so that every core has a transaction to run.
	size := max(1, min(fixtureChunk, (n+fixtureWorkers-1)/fixtureWorkers))
	chunks := (n + size - 1) / size
	approvedTo := paymentplans.StatusApproved // the status an approval at asOf derives
	if bijstand.PeriodOf(asOf).First().Compare(period.First()) >= 0 {
		approvedTo = paymentplans.StatusActive
	}
	var payslips, plans atomic.Int64
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(fixtureWorkers)
	for k := range chunks {
		if gctx.Err() != nil {
			break // a chunk failed: draw no more
		}
		eg.Go(func() error {
			g := &fxGen{
				rng:    rand.New(rand.NewPCG(seed, streamKey^(uint64(k)+1)*0x9E3779B97F4A7C15)),
				tenant: t, period: period, params: params, asOf: asOf, ref: dateOf(asOf), cr: cr,
				sealer: sealer, aad: []byte(t), taken: taken,
				stripe: uint32(k), stripes: uint32(chunks), used: map[uint32]struct{}{},
				approvedTo: approvedTo, start: period.String(), created: asOf.Format(time.RFC3339),
			}
			rs, err := g.chunk(min(size, n-k*size))
			if err != nil {
				return fmt.Errorf("fixture: chunk %d of %d: %w", k+1, chunks, err)
			}
			if err := writeChunk(gctx, pool, g, rs, o); err != nil {
				return fmt.Errorf("fixture: chunk %d of %d: %w", k+1, chunks, err)
			}
			for i := range rs {
				if rs[i].payslip != nil {
					payslips.Add(1)
				}
			}
			plans.Add(int64(len(rs) * len(fxResident{}.plans)))
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return fixtureStats{}, err
	}
	return fixtureStats{Residents: n, Payslips: int(payslips.Load()), Plans: int(plans.Load()), Elapsed: time.Since(start)}, nil
}

// asOfFor is the moment the fixture's acts are dated: three days before the period,
// at 09:00 UTC, so that every plan was approved before its first month (as the service
// requires) and the data is the same whenever it is loaded; or now, when that moment
// lies ahead.
func asOfFor(period bijstand.Period, now time.Time) time.Time {
	at := period.First().AddDate(0, 0, -3).Add(9 * time.Hour)
	if now.Before(at) {
		at = now.UTC().Truncate(time.Microsecond)
	}
	return at
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// fxCreditor is a creditor a plan pays, with the digits its reference pattern takes.
type fxCreditor struct {
	creditors.Creditor
	refMin, refMax int
}

// fxCreditors are the creditors of the fixture's plans.
type fxCreditors struct {
	zorg         []fxCreditor
	zorgCum      []int // cumulative weights of zorg
	corporations []fxCreditor
	utilities    []fxCreditor
}

// digitsPattern is the form of the reference patterns the fixture can fill: "[0-9]{n}"
// or "[0-9]{n,m}", as every creditor of the catalogue and the seed has.
var digitsPattern = regexp.MustCompile(`^\[0-9\]\{(\d+)(?:,(\d+))?\}$`)

func newFxCreditor(c creditors.Creditor) (fxCreditor, error) {
	m := digitsPattern.FindStringSubmatch(c.Reference.Pattern)
	if m == nil {
		return fxCreditor{}, fmt.Errorf("fixture: creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	lo, _ := strconv.Atoi(m[1])
	hi := lo
	if m[2] != "" {
		hi, _ = strconv.Atoi(m[2])
	}
	if lo < 1 || hi < lo || hi > 35 {
		return fxCreditor{}, fmt.Errorf("fixture: creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	return fxCreditor{Creditor: c, refMin: lo, refMax: hi}, nil
}

// catalogueCreditors finds the creditors of the national catalogue the plans pay.
func catalogueCreditors() (*creditors.Catalogue, *fxCreditors, error) {
	cat, err := creditors.EmbeddedCatalogue()
	if err != nil {
		return nil, nil, fmt.Errorf("fixture: %w", err)
	}
	get := func(id string) (fxCreditor, error) {
		c, ok := cat.Get(id)
		if !ok {
			return fxCreditor{}, fmt.Errorf("fixture: creditor %s is not in the catalogue", id)
		}
		return newFxCreditor(c)
	}
	cr := &fxCreditors{}
	total := 0
	for _, z := range fxZorg {
		c, err := get(z.id)
		if err != nil {
			return nil, nil, err
		}
		total += z.weight
		cr.zorg, cr.zorgCum = append(cr.zorg, c), append(cr.zorgCum, total)
	}
	for _, id := range fxUtilities {
		c, err := get(id)
		if err != nil {
			return nil, nil, err
		}
		cr.utilities = append(cr.utilities, c)
	}
	return cat, cr, nil
}

// fixtureCreditors finds the catalogue's creditors and the tenant's woningcorporaties,
// making those through services/creditors when missing, as `plein seed` does.
func fixtureCreditors(ctx context.Context, pool *pgxpool.Pool, t tenant.ID) (*fxCreditors, error) {
	cat, cr, err := catalogueCreditors()
	if err != nil {
		return nil, err
	}
	svc := creditors.NewService(pool, cat, nil)
	list, err := svc.List(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	find := func(name string) (creditors.Creditor, bool) {
		for _, c := range list {
			if !c.Catalogue && strings.EqualFold(c.Name, name) {
				return c, true
			}
		}
		return creditors.Creditor{}, false
	}
	for _, wc := range fxCorporations {
		c, ok := find(wc.name)
		if !ok {
			c, err = svc.Create(ctx, t, creditors.NewCreditor{Name: wc.name, Kind: string(creditors.KindWoningcorporatie),
				IBAN: nlIBAN("XMPL", wc.account), Example: true, ReferenceName: "contractnummer", ReferencePattern: "[0-9]{8}",
				ReferenceHint:   "Uw contractnummer staat op uw huurcontract en op de brief over de huurverhoging. Het heeft 8 cijfers.",
				ReferenceHintEN: "Your contract number is on your rental agreement and on the rent increase letter. It has 8 digits."})
			if errors.Is(err, creditors.ErrDuplicate) {
				// Made by a load or seed running at the same time: use that one.
				if list, err = svc.List(ctx, t); err != nil {
					return nil, fmt.Errorf("fixture: %w", err)
				}
				if c, ok = find(wc.name); !ok {
					return nil, fmt.Errorf("fixture: creditor %q: %w", wc.name, creditors.ErrDuplicate)
				}
			} else if err != nil {
				return nil, fmt.Errorf("fixture: creditor %q: %w", wc.name, err)
			}
		}
		fc, err := newFxCreditor(c)
		if err != nil {
			return nil, err
		}
		cr.corporations = append(cr.corporations, fc)
	}
	return cr, nil
}

// takenBSNs returns the blind indexes of the BSNs the tenant's residents and partners
// have already: the fixture draws others.
func takenBSNs(ctx context.Context, pool *pgxpool.Pool, t tenant.ID) (map[[32]byte]struct{}, error) {
	taken := map[[32]byte]struct{}{}
	err := db.InTenant(tenant.WithID(ctx, t), pool, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT bsn_index FROM residents WHERE tenant_id = $1
			UNION ALL
			SELECT partner_bsn_index FROM residents WHERE tenant_id = $1 AND partner_bsn_index IS NOT NULL`, string(t))
		if err != nil {
			return err
		}
		var idx []byte
		_, err = pgx.ForEachRow(rows, []any{&idx}, func() error {
			if len(idx) == 32 {
				taken[[32]byte(idx)] = struct{}{}
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fixture: read the tenant's BSN indexes: %w", err)
	}
	return taken, nil
}

// fxResident is one resident of the fixture, with what goes into every table.
type fxResident struct {
	id, name, iban string
	kind           bijstand.HouseholdKind
	birth          time.Time
	sealed, index  []byte
	parents        bool // parents_cannot_support
	counters       fxCounters
	partner        *fxPartner
	children       []time.Time
	housemates     []fxHousemate
	payslip        *fxPayslip
	plans          [3]fxPlan // in the order Active returns them
}

type fxCounters struct {
	n, r    int
	medisch bool
}

type fxPartner struct {
	name          string
	birth         time.Time
	sealed, index []byte
	counters      fxCounters
}

type fxHousemate struct {
	birth time.Time
	desc  string
}

type fxPayslip struct {
	id                string
	applicant         int
	employer, key     string
	gross, net, hours int64 // cents, cents, hours × 100
	pay               time.Time
}

type fxPlan struct {
	id, messageID       string
	kind                bijstand.DeductionKind
	creditor, reference string
	amount              int64
	priority            int
	end                 *bijstand.Period
	actor               string
	signedOn            time.Time // the paper mandate's date (on_behalf); zero for none
}

// fxGen draws one chunk of residents from its own stream, so that chunks can be drawn
// at the same time and the whole stays deterministic.
type fxGen struct {
	rng       *rand.Rand
	tenant    tenant.ID
	period    bijstand.Period
	params    *law.Params
	asOf, ref time.Time
	cr        *fxCreditors
	sealer    *bsn.Sealer
	aad       []byte
	// BSNs: the chunk draws its 8-digit prefixes from its own stripe (prefix ≡ stripe
	// mod stripes), so chunks never draw the same number; used holds the chunk's, taken
	// the blind indexes already in the tenant (read only).
	taken           map[[32]byte]struct{}
	stripe, stripes uint32
	used            map[uint32]struct{}
	// For the encoders: the status the approve event goes to, and the start message's
	// start_period and created_at.
	approvedTo     paymentplans.Status
	start, created string
}

// quota marks exactly round(share × n) of n positions, at random.
func (g *fxGen) quota(n int, share float64) []bool {
	out := make([]bool, n)
	k := min(n, int(math.Round(share*float64(n))))
	for _, i := range g.rng.Perm(n)[:k] {
		out[i] = true
	}
	return out
}

// chunk draws m residents. The shares of the household mix and of the workers are
// exact; who gets what is random.
func (g *fxGen) chunk(m int) ([]fxResident, error) {
	kinds := make([]int, 0, m)
	for _, k := range []struct {
		kind  int
		share float64
	}{{fxSingle, fxShareSingle}, {fxSingleParent, fxShareSingleParent}, {fxCouple, fxShareCouple}} {
		for range min(m-len(kinds), int(math.Round(k.share*float64(m)))) {
			kinds = append(kinds, k.kind)
		}
	}
	for len(kinds) < m {
		kinds = append(kinds, fxKostendeler)
	}
	g.rng.Shuffle(m, func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	work := g.quota(m, fxShareWork)
	out := make([]fxResident, m)
	for i := range out {
		if err := g.resident(&out[i], kinds[i], work[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (g *fxGen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// birth is a birth date of someone aged age on g.ref.
func (g *fxGen) birth(age int) time.Time { return g.ref.AddDate(-age, 0, -g.rng.IntN(365)) }

// adultAge draws an applicant's age as the seed does: mostly 21 to 66, a few 18–20
// or at AOW age.
func (g *fxGen) adultAge(youngShare, aowShare float64) int {
	switch u := g.rng.Float64(); {
	case u < youngShare:
		return g.between(18, 20)
	case u < youngShare+aowShare:
		return g.between(67, 70)
	}
	switch u := g.rng.Float64(); {
	case u < 0.12:
		return g.between(21, 26)
	case u < 0.34:
		return g.between(27, 35)
	case u < 0.56:
		return g.between(36, 45)
	case u < 0.80:
		return g.between(46, 55)
	default:
		return g.between(56, 66)
	}
}

func (g *fxGen) name(female bool, last string) string {
	first := fxFirstM
	if female {
		first = fxFirstF
	}
	return first[g.rng.IntN(len(first))] + " " + last
}

func (g *fxGen) lastName() string { return fxLast[g.rng.IntN(len(fxLast))] }

func (g *fxGen) children(parentAge int) []time.Time {
	n := 3
	switch u := g.rng.Float64(); {
	case u < 0.5:
		n = 1
	case u < 0.85:
		n = 2
	}
	cs := make([]time.Time, n)
	for i := range cs {
		cs[i] = g.birth(g.between(0, min(17, parentAge-18)))
	}
	return cs
}

// uuid draws a version 4 UUID from the stream.
func (g *fxGen) uuid() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], g.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], g.rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], b[10:16])
	return string(s[:])
}

func (g *fxGen) iban() string {
	k := g.rng.IntN(100)
	bank := fxBanks[len(fxBanks)-1].code
	for _, b := range fxBanks {
		if k < b.weight {
			bank = b.code
			break
		}
		k -= b.weight
	}
	var acct [10]byte
	v := g.rng.Uint64N(1e10)
	for i := 9; i >= 0; i-- {
		acct[i] = byte('0' + v%10)
		v /= 10
	}
	return nlIBAN(bank, string(acct[:]))
}

// nlIBAN is the Dutch IBAN of a bank code and a 10-digit account number, with its
// ISO 7064 mod-97 check digits.
func nlIBAN(bank, account string) string {
	r := 0
	for _, c := range []byte(bank + account + "NL00") {
		if c >= '0' && c <= '9' {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return fmt.Sprintf("NL%02d%s%s", 98-r, bank, account)
}

// bsnPrefixes is the number of 8-digit prefixes 10000000–99999999; the ninth digit
// follows from the 11-proef (a prefix whose check digit would be 10 has no BSN).
const bsnPrefixes = 90_000_000

// bsn draws a BSN new to the tenant and to the load, and returns it sealed (with the
// tenant as associated data) and its blind index, as services/residents stores them.
func (g *fxGen) bsn() (sealed, index []byte, err error) {
	slots := (bsnPrefixes-1-g.stripe)/g.stripes + 1
	for range 1000 {
		prefix := 10_000_000 + g.stripe + g.stripes*g.rng.Uint32N(slots)
		sum, p := uint32(0), prefix
		for w := uint32(2); w <= 9; w++ {
			sum += w * (p % 10)
			p /= 10
		}
		check := sum % 11
		if check == 10 {
			continue
		}
		num := prefix*10 + check
		if _, dup := g.used[num]; dup {
			continue
		}
		g.used[num] = struct{}{}
		var digits [9]byte
		for i, v := 8, num; i >= 0; i-- {
			digits[i] = byte('0' + v%10)
			v /= 10
		}
		b, err := bsn.Parse(string(digits[:]))
		if err != nil {
			return nil, nil, fmt.Errorf("drew an invalid BSN: %w", err) // a bug in the 11-proef above
		}
		index = g.sealer.BlindIndex(b)
		if _, dup := g.taken[[32]byte(index)]; dup {
			continue
		}
		sealed, err = g.sealer.Seal(b, g.aad)
		if err != nil {
			return nil, nil, fmt.Errorf("seal BSN: %w", err)
		}
		return sealed, index, nil
	}
	return nil, nil, errors.New("no free BSN found in 1000 draws")
}

// resident draws one resident: the case, the three plans and, for a worker, the
// payslip.
func (g *fxGen) resident(r *fxResident, kind int, works bool) error {
	var err error
	r.id = g.uuid()
	female := g.rng.IntN(2) == 0
	last := g.lastName()
	r.iban = g.iban()
	if r.sealed, r.index, err = g.bsn(); err != nil {
		return err
	}
	var age int
	switch kind {
	case fxSingle:
		r.kind = bijstand.KindSingle
		age = g.adultAge(0.05, 0.04)
	case fxKostendeler:
		r.kind = bijstand.KindSingle
		age = g.adultAge(0.03, 0.04)
		hmAge := g.between(27, 80)
		var desc string
		switch {
		case hmAge >= age+18:
			desc = fxHousemateOlder[g.rng.IntN(len(fxHousemateOlder))]
		case hmAge <= age-18:
			desc = fxHousemateYounger[g.rng.IntN(len(fxHousemateYounger))]
		default:
			desc = fxHousematePeer[g.rng.IntN(len(fxHousematePeer))]
		}
		r.housemates = []fxHousemate{{birth: g.birth(hmAge), desc: desc}}
	case fxSingleParent:
		r.kind = bijstand.KindSingleParent
		female = g.rng.Float64() < 0.85
		age = g.between(21, 55)
		r.children = g.children(age)
		r.counters.r = g.rng.IntN(13)
	case fxCouple:
		r.kind = bijstand.KindCouple
		age = g.adultAge(0, 0.06)
		pAge := max(21, min(75, age+g.between(-6, 6)))
		partnerLast := last
		if g.rng.IntN(3) == 0 {
			partnerLast = g.lastName()
		}
		p := &fxPartner{name: g.name(!female, partnerLast), birth: g.birth(pAge)}
		if p.sealed, p.index, err = g.bsn(); err != nil {
			return err
		}
		r.partner = p
		if age <= 50 && g.rng.IntN(2) == 0 {
			r.children = g.children(min(age, pAge))
		}
	}
	r.name = g.name(female, last)
	r.birth = g.birth(age)
	// Young people on their own have no parents to rely on (art. 20.3).
	r.parents = age < 21

	// The net rent (after huurtoeslag) of a social home: less for the young (a room)
	// and for who shares the home.
	lo, hi := 450, 650
	switch {
	case age < 21, kind == fxKostendeler:
		lo, hi = 300, 450
	case kind == fxCouple, kind == fxSingleParent:
		lo, hi = 550, 750
	}
	corp := g.cr.corporations[g.rng.IntN(len(g.cr.corporations))]
	rent := int64(g.between(lo, hi))*100 + int64(g.rng.IntN(100))
	// The zorgpremie of the applicant(s), 150 to 175 a person.
	k := g.rng.IntN(g.cr.zorgCum[len(g.cr.zorgCum)-1])
	zi := 0
	for k >= g.cr.zorgCum[zi] {
		zi++
	}
	premie := int64(g.between(15000, 17500))
	if r.partner != nil {
		premie += int64(g.between(15000, 17500))
	}
	// One creditor's share of an agreed schuldregeling.
	util := g.cr.utilities[g.rng.IntN(len(g.cr.utilities))]
	afl := int64(g.between(2000, 6000))
	end := g.period
	for range fxAflossingMonths - 1 {
		end = end.Next()
	}
	r.plans[0], err = g.plan(bijstand.DeductOnBehalf, corp, rent, fxPriorityRent, nil, fxSeeder)
	if err != nil {
		return err
	}
	r.plans[1], err = g.plan(bijstand.DeductOnBehalf, g.cr.zorg[zi], premie, fxPriorityZorg, nil, fxSeeder)
	if err != nil {
		return err
	}
	r.plans[2], err = g.plan(bijstand.DeductAflossing, util, afl, fxPriorityAflossing, &end, fxSchuldregeling)
	if err != nil {
		return err
	}
	if works {
		return g.work(r, kind, rent+premie+afl)
	}
	return nil
}

// plan draws a plan's reference, ids and (for on_behalf) the paper mandate's date: a
// day in the two months before the approval.
func (g *fxGen) plan(kind bijstand.DeductionKind, c fxCreditor, amount int64, priority int, end *bijstand.Period, actor string) (fxPlan, error) {
	n := g.between(c.refMin, c.refMax)
	ref := make([]byte, n)
	ref[0] = byte('1' + g.rng.IntN(9))
	for i := 1; i < n; i++ {
		ref[i] = byte('0' + g.rng.IntN(10))
	}
	p := fxPlan{id: g.uuid(), messageID: g.uuid(), kind: kind, creditor: c.ID, reference: string(ref), amount: amount,
		priority: priority, end: end, actor: actor}
	if err := creditors.ValidateReference(c.Creditor, p.reference); err != nil {
		return fxPlan{}, fmt.Errorf("creditor %s: %w", c.ID, err)
	}
	if kind == bijstand.DeductOnBehalf {
		p.signedOn = g.ref.AddDate(0, 0, -g.rng.IntN(60))
	}
	return p, nil
}

// household is the engine's input of r, as services/residents maps a case.
func (r *fxResident) household() bijstand.Household {
	h := bijstand.Household{Kind: r.kind, ParentsCannotSupport: r.parents,
		Applicants: []bijstand.Applicant{{BirthDate: r.birth, NMonthsUsed: r.counters.n, RMonthsUsed: r.counters.r,
			MedischUrenbeperkt: r.counters.medisch}}}
	if p := r.partner; p != nil {
		h.Applicants = append(h.Applicants, bijstand.Applicant{BirthDate: p.birth, NMonthsUsed: p.counters.n,
			RMonthsUsed: p.counters.r, MedischUrenbeperkt: p.counters.medisch})
	}
	for _, c := range r.children {
		h.Children = append(h.Children, bijstand.Child{BirthDate: c})
	}
	for _, hm := range r.housemates {
		h.Housemates = append(h.Housemates, bijstand.Housemate{BirthDate: hm.birth, CostSharer: true})
	}
	return h
}

// work gives r a payslip paid in the period: a part-time job at 13.68 to 18.00 an
// hour. Most workers earn at most what leaves a payout once the deductions (deds a
// month) are paid, counting the whole net wage as income (vrijlating only adds to the
// payout); the rest earn what they earn, below the norm, so every worker keeps some
// bijstand.
func (g *fxGen) work(r *fxResident, kind int, deds int64) error {
	applicant := 0
	if r.partner != nil && g.rng.IntN(10) < 3 {
		applicant = 1
	}
	c := fxCounters{n: g.rng.IntN(13), medisch: g.rng.IntN(20) == 0}
	if applicant == 0 {
		c.r = r.counters.r
		r.counters = c
	} else {
		r.partner.counters = c
	}
	res, err := bijstand.Compute(g.params, bijstand.Case{Period: g.period, Household: r.household()})
	if err != nil {
		return fmt.Errorf("norm: %w", err)
	}
	norm := int64(res.Norm)
	var lo, hi int64
	if g.rng.Float64() < fxShareUnbudgeted {
		hi = min(110000, norm*85/100)
		lo = min(30000, hi)
	} else {
		lo, hi = 20000, 80000
		switch kind {
		case fxKostendeler:
			lo, hi = 15000, 60000
		case fxCouple:
			lo, hi = 30000, 110000
		}
		// The cash left after the vakantietoeslag reserve (4.8 %) must pay the
		// deductions and leave at least 25.00.
		hi = min(hi, norm-(deds+2500)*1000/952)
		hi = max(hi, 5000)
		lo = min(lo, hi/2)
	}
	net := lo + g.rng.Int64N(hi-lo+1)
	employer := fxEmployers[g.rng.IntN(len(fxEmployers))]
	wage := int64(g.between(1368, 1800)) // cents an hour, gross
	// The gross about 5 to 22 % above the net, in whole quarter hours at wage.
	ratio := float64(g.between(78, 95)) / 100
	quarters := max(1, int64(math.Round(float64(net)/ratio/float64(wage)*4)))
	gross := func(q int64) int64 { return (q*wage + 2) / 4 }
	for gross(quarters) < net {
		quarters++
	}
	first := g.period.First()
	r.payslip = &fxPayslip{id: g.uuid(), applicant: applicant, employer: employer, key: employerKey(employer),
		gross: gross(quarters), net: net, hours: quarters * 25,
		pay: time.Date(first.Year(), first.Month(), g.between(20, 28), 0, 0, 0, 0, time.UTC)}
	return nil
}

// employerKey is services/income's normalised employer name.
func employerKey(name string) string { return strings.Join(strings.Fields(strings.ToLower(name)), " ") }

// fxTable is a table the fixture writes: its columns, in the order enc writes them,
// and whether a load with options o writes it.
type fxTable struct {
	name, cols string
	enc        func(g *fxGen, w *copyBuf, r *fxResident)
	on         func(o fixtureOptions) bool
}

func always(fixtureOptions) bool { return true }

// fxTables are in the order of their foreign keys.
var fxTables = []fxTable{
	{"residents", `tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind,
		institution, parents_cannot_support, n_months_used, r_months_used, medisch_urenbeperkt,
		partner_name, partner_birth_date, partner_bsn_sealed, partner_bsn_index, partner_n_months_used,
		partner_r_months_used, partner_medisch_urenbeperkt, version, created_at, updated_at`, encResident, always},
	{"resident_children", `tenant_id, resident_id, position, birth_date`, encChildren, always},
	{"resident_housemates", `tenant_id, resident_id, position, birth_date, cost_sharer, description`, encHousemates, always},
	{"payslips", `tenant_id, id, resident_id, applicant, employer, employer_key, period_start, period_end,
		gross_cents, net_cents, hours_centi, pay_date, source, created_at`, encPayslip, always},
	{"plans", `tenant_id, id, resident_id, kind, creditor_id, reference, amount_cents, priority,
		start_period, end_period, status, mandate_given_by, mandate_given_at, mandate_recorded_by,
		requested_by, approved_by, approved_at, version, created_at, updated_at`, encPlans, always},
	{"plan_events", `tenant_id, plan_id, seq, at, actor, role, action, from_status, to_status, reason, request_id`,
		encEvents, func(o fixtureOptions) bool { return o.Events }},
	{"outbound_messages", `tenant_id, id, creditor_id, plan_id, kind, payload, created_at`,
		encMessages, func(o fixtureOptions) bool { return o.Messages }},
	{"audit_log", `tenant_id, at, actor, role, action, object_type, object_id, purpose, request_id`,
		encAudit, func(o fixtureOptions) bool { return o.Audit }},
}

// fxStageBatch residents are staged at a time: the staged rows of the largest table
// stay within the default temp_buffers (8 MB), so they never leave memory.
const fxStageBatch = 2500

// writeChunk writes rs in one transaction of the tenant, table by table in the order
// of the foreign keys.
//
// PostgreSQL refuses COPY FROM into a table under row-level security (as every tenant
// table is, FORCEd, for plein_app), so the rows are copied into temporary tables
// without it and moved on with INSERT … SELECT, which the policies check row by row.
func writeChunk(ctx context.Context, pool *pgxpool.Pool, g *fxGen, rs []fxResident, o fixtureOptions) error {
	var tables []fxTable
	for _, tb := range fxTables {
		if tb.on(o) {
			tables = append(tables, tb)
		}
	}
	return db.InTenant(tenant.WithID(ctx, g.tenant), pool, func(ctx context.Context, tx pgx.Tx) error {
		for _, tb := range tables {
			if _, err := tx.Exec(ctx, "CREATE TEMP TABLE fx_"+tb.name+" ON COMMIT DROP AS SELECT "+tb.cols+
				" FROM "+tb.name+" WITH NO DATA"); err != nil {
				return fmt.Errorf("stage %s: %w", tb.name, err)
			}
		}
		conn := tx.Conn().PgConn()
		for lo := 0; lo < len(rs); lo += fxStageBatch {
			part := rs[lo:min(len(rs), lo+fxStageBatch)]
			for _, tb := range tables {
				stage := "fx_" + tb.name
				if _, err := conn.CopyFrom(ctx, &copyReader{g: g, rs: part, enc: tb.enc},
					"COPY "+stage+" ("+tb.cols+") FROM STDIN (FORMAT binary)"); err != nil {
					return fmt.Errorf("copy %s: %w", tb.name, err)
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+tb.name+" ("+tb.cols+") SELECT "+tb.cols+" FROM "+stage+"; TRUNCATE "+stage)
				var pgErr *pgconn.PgError
				if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "residents_pkey" {
					return fmt.Errorf("%w (is this fixture in the tenant already? load another seed)", err)
				}
				if err != nil {
					return fmt.Errorf("insert %s: %w", tb.name, err)
				}
			}
		}
		return nil
	})
}

func encResident(g *fxGen, w *copyBuf, r *fxResident) {
	w.tuple(23)
	w.text(string(g.tenant))
	w.text(r.id)
	w.text(r.name)
	w.date(r.birth)
	w.bytea(r.sealed)
	w.bytea(r.index)
	w.text(r.iban)
	w.text(string(r.kind))
	w.bool(false)
	w.bool(r.parents)
	w.int4(r.counters.n)
	w.int4(r.counters.r)
	w.bool(r.counters.medisch)
	if p := r.partner; p != nil {
		w.text(p.name)
		w.date(p.birth)
		w.bytea(p.sealed)
		w.bytea(p.index)
		w.int4(p.counters.n)
		w.int4(p.counters.r)
		w.bool(p.counters.medisch)
	} else {
		for range 7 {
			w.null()
		}
	}
	w.int4(1)
	w.timestamptz(g.asOf)
	w.timestamptz(g.asOf)
}

func encChildren(g *fxGen, w *copyBuf, r *fxResident) {
	for i, c := range r.children {
		w.tuple(4)
		w.text(string(g.tenant))
		w.text(r.id)
		w.int4(i)
		w.date(c)
	}
}

func encHousemates(g *fxGen, w *copyBuf, r *fxResident) {
	for i, h := range r.housemates {
		w.tuple(6)
		w.text(string(g.tenant))
		w.text(r.id)
		w.int4(i)
		w.date(h.birth)
		w.bool(true)
		w.text(h.desc)
	}
}

func encPayslip(g *fxGen, w *copyBuf, r *fxResident) {
	p := r.payslip
	if p == nil {
		return
	}
	first := g.period.First()
	w.tuple(14)
	w.text(string(g.tenant))
	w.text(p.id)
	w.text(r.id)
	w.int2(p.applicant)
	w.text(p.employer)
	w.text(p.key)
	w.date(first)
	w.date(first.AddDate(0, 1, -1))
	w.int8(p.gross)
	w.int8(p.net)
	w.int8(p.hours)
	w.date(p.pay)
	w.text(fxPayslipSource)
	w.timestamptz(g.asOf)
}

// encPlans writes the plans as Request and Approve leave them: stored status
// approved (the last act), version 2, the paper mandate of an on_behalf plan.
func encPlans(g *fxGen, w *copyBuf, r *fxResident) {
	for i := range r.plans {
		p := &r.plans[i]
		w.tuple(20)
		w.text(string(g.tenant))
		w.text(p.id)
		w.text(r.id)
		w.text(string(p.kind))
		w.text(p.creditor)
		w.text(p.reference)
		w.int8(p.amount)
		w.int4(p.priority)
		w.date(g.period.First())
		if p.end != nil {
			w.date(p.end.First())
		} else {
			w.null()
		}
		w.text(string(paymentplans.StatusApproved))
		if !p.signedOn.IsZero() {
			w.text(string(paymentplans.MandatePaper))
			w.timestamptz(p.signedOn)
			w.text(p.actor)
		} else {
			w.null()
			w.null()
			w.null()
		}
		w.text(p.actor)
		w.text(p.actor)
		w.timestamptz(g.asOf)
		w.int4(2)
		w.timestamptz(g.asOf)
		w.timestamptz(g.asOf)
	}
}

// encEvents writes each plan's history: requested, then approved by the same actor.
func encEvents(g *fxGen, w *copyBuf, r *fxResident) {
	for i := range r.plans {
		p := &r.plans[i]
		for seq, act := range [...]paymentplans.Action{paymentplans.ActionRequest, paymentplans.ActionApprove} {
			w.tuple(11)
			w.text(string(g.tenant))
			w.text(p.id)
			w.int4(seq + 1)
			w.timestamptz(g.asOf)
			w.text(p.actor)
			w.text(fxRole)
			w.text(string(act))
			if act == paymentplans.ActionRequest {
				w.null()
				w.text(string(paymentplans.StatusRequested))
			} else {
				w.text(string(paymentplans.StatusRequested))
				w.text(string(g.approvedTo))
			}
			w.text("")
			w.text("")
		}
	}
}

// encMessages writes the message that tells each plan's creditor the plan starts.
func encMessages(g *fxGen, w *copyBuf, r *fxResident) {
	for i := range r.plans {
		p := &r.plans[i]
		w.tuple(7)
		w.text(string(g.tenant))
		w.text(p.messageID)
		w.text(p.creditor)
		w.text(p.id)
		w.text(string(paymentplans.MessageStart))
		w.jsonb(func(b []byte) []byte { return appendStartMessage(b, g, p) })
		w.timestamptz(g.asOf)
	}
}

// encAudit writes the audit entries paymentplans records for a request and an
// approval.
func encAudit(g *fxGen, w *copyBuf, r *fxResident) {
	for i := range r.plans {
		p := &r.plans[i]
		for _, act := range [...]paymentplans.Action{paymentplans.ActionRequest, paymentplans.ActionApprove} {
			w.tuple(9)
			w.text(string(g.tenant))
			w.timestamptz(g.asOf)
			w.text(p.actor)
			w.text(fxRole)
			w.text("paymentplan." + string(act))
			w.text("paymentplan")
			w.text(p.id)
			w.text("payment plan: " + string(act) + " (resident " + r.id + ")")
			w.text("")
		}
	}
}

// appendStartMessage appends the JSON of paymentplans.MessagePayload for the plan's
// start message: the same fields, the same order, as json.Marshal writes them. Every
// value is ASCII without anything to escape (ids, digits, periods, a tenant slug).
func appendStartMessage(b []byte, g *fxGen, p *fxPlan) []byte {
	b = append(b, `{"message_id":"`...)
	b = append(b, p.messageID...)
	b = append(b, `","kind":"start","gemeente":"`...)
	b = append(b, g.tenant...)
	b = append(b, `","creditor_id":"`...)
	b = append(b, p.creditor...)
	b = append(b, `","plan_id":"`...)
	b = append(b, p.id...)
	b = append(b, `","reference":"`...)
	b = append(b, p.reference...)
	b = append(b, `","amount_cents":`...)
	b = strconv.AppendInt(b, p.amount, 10)
	b = append(b, `,"currency":"EUR","start_period":"`...)
	b = append(b, g.start...)
	if p.end != nil {
		b = append(b, `","end_period":"`...)
		b = append(b, p.end.String()...)
	}
	b = append(b, `","created_at":"`...)
	b = append(b, g.created...)
	return append(b, `"}`...)
}

// copyReader streams the rows of one table for a chunk in PostgreSQL's binary COPY
// format, encoding them as PgConn.CopyFrom reads.
type copyReader struct {
	g       *fxGen
	rs      []fxResident
	enc     func(g *fxGen, w *copyBuf, r *fxResident)
	next    int
	w       copyBuf
	off     int
	started bool
	done    bool
}

// copyFlush is how much a Read encodes ahead: a little under pgconn's 64 KiB message.
const copyFlush = 48 << 10

func (c *copyReader) Read(p []byte) (int, error) {
	for c.off == len(c.w.b) {
		if c.done {
			return 0, io.EOF
		}
		c.w.b, c.off = c.w.b[:0], 0
		if !c.started {
			c.w.b = append(c.w.b, "PGCOPY\n\xff\r\n\x00"...)
			c.w.b = append(c.w.b, 0, 0, 0, 0, 0, 0, 0, 0) // flags, header extension length
			c.started = true
		}
		for c.next < len(c.rs) && len(c.w.b) < copyFlush {
			c.enc(c.g, &c.w, &c.rs[c.next])
			c.next++
		}
		if c.next == len(c.rs) {
			c.w.b = binary.BigEndian.AppendUint16(c.w.b, 0xffff) // the trailer: -1
			c.done = true
		}
	}
	n := copy(p, c.w.b[c.off:])
	c.off += n
	return n, nil
}

// copyBuf appends the fields of binary COPY tuples: each a 32-bit length (−1 for
// NULL) and the value in the type's binary send format.
type copyBuf struct{ b []byte }

// pgEpoch is PostgreSQL's zero of dates and timestamps, in Unix seconds.
const pgEpoch = 946684800

func (w *copyBuf) tuple(fields int) { w.b = binary.BigEndian.AppendUint16(w.b, uint16(fields)) }
func (w *copyBuf) null()            { w.b = binary.BigEndian.AppendUint32(w.b, 0xffffffff) }

func (w *copyBuf) text(s string) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(s)))
	w.b = append(w.b, s...)
}

func (w *copyBuf) bytea(v []byte) {
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(len(v)))
	w.b = append(w.b, v...)
}

func (w *copyBuf) bool(v bool) {
	var x byte
	if v {
		x = 1
	}
	w.b = append(w.b, 0, 0, 0, 1, x)
}

func (w *copyBuf) int2(v int) {
	w.b = append(w.b, 0, 0, 0, 2)
	w.b = binary.BigEndian.AppendUint16(w.b, uint16(int16(v)))
}

func (w *copyBuf) int4(v int) {
	w.b = append(w.b, 0, 0, 0, 4)
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(int32(v)))
}

func (w *copyBuf) int8(v int64) {
	w.b = append(w.b, 0, 0, 0, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(v))
}

// date writes the day of t (a UTC midnight): days since 2000-01-01.
func (w *copyBuf) date(t time.Time) {
	w.b = append(w.b, 0, 0, 0, 4)
	w.b = binary.BigEndian.AppendUint32(w.b, uint32(int32((t.Unix()-pgEpoch)/86400)))
}

// timestamptz writes t as microseconds since 2000-01-01 UTC.
func (w *copyBuf) timestamptz(t time.Time) {
	w.b = append(w.b, 0, 0, 0, 8)
	w.b = binary.BigEndian.AppendUint64(w.b, uint64(t.UnixMicro()-pgEpoch*1_000_000))
}

// jsonb writes the JSON that appendJSON appends, behind jsonb's version byte 1.
func (w *copyBuf) jsonb(appendJSON func([]byte) []byte) {
	at := len(w.b)
	w.b = append(w.b, 0, 0, 0, 0, 1)
	w.b = appendJSON(w.b)
	binary.BigEndian.PutUint32(w.b[at:], uint32(len(w.b)-at-4))
}
