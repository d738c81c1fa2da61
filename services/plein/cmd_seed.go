package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	mrand "math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
)

// `plein seed` makes a synthetic caseload for demos, tests and benchmarks. Everything
// goes through the services' own APIs — the same validation, sealing, audit and
// plan events as a consulent's work — so the data is what the platform would hold,
// not rows written around it. The people are drawn from a PCG stream keyed by --seed
// and the tenant: the same seed in the same (empty) tenant gives the same caseload.

// Limits and defaults of `plein seed`.
const (
	maxSeedResidents   = 100000
	defaultSeedWorkers = 8
	// seedBSNRetries bounds the search for a free BSN after a duplicate.
	seedBSNRetries = 50
)

// Household mix [policy for demos]: shares of the residents. The rest are singles
// with a kostendelende medebewoner (about 10 %).
const (
	shareSingle       = 0.55
	shareSingleParent = 0.20
	shareCouple       = 0.15
	shareWork         = 0.40 // a payslip paid in the period
	sharePrevPayslip  = 0.50 // of those working: also one paid the month before
	shareZorgpremie   = 0.70
	shareRent         = 0.35
	shareVerrekening  = 0.08
	shareAflossing    = 0.05
)

// Kinds of seeded household, as the summary counts them.
const (
	seedSingle       = "single"
	seedSingleParent = "single_parent"
	seedCouple       = "couple"
	seedKostendeler  = "kostendeler" // single with a kostendelende medebewoner aged 27+
)

// Plan labels of the summary.
const (
	seedZorgpremie  = "zorgpremie"
	seedHuur        = "huur"
	seedVerrekening = "verrekening"
	seedAflossing   = "aflossing"
)

// seeder is the actor of the on_behalf and verrekening plans the seed records: a
// consulent working from signed paper mandates. Aflossing plans are recorded by the
// schuldregeling actor, as an agreed minnelijk traject would (adapters.go).
var seeder = paymentplans.Actor{Subject: "system:seed", Role: authz.RoleConsulent}

// zorgverzekeraars of the catalogue, weighted roughly by market share.
var seedZorg = []struct {
	id     string
	weight int
}{{"zilveren-kruis", 30}, {"cz", 20}, {"vgz", 20}, {"menzis", 12}, {"dsw", 7}, {"zorg-en-zekerheid", 5}, {"asr", 4}, {"onvz", 2}}

// seedAflossingCatalogue are catalogue creditors a schuldregeling pays; the
// tenant's woningcorporaties (huurachterstand) are added to them.
var seedAflossingCatalogue = []string{"vattenfall", "eneco", "essent", "greenchoice", "vitens", "evides", "brabant-water"}

// seedCorporations are the woningcorporaties made per tenant when missing. The names
// say they are examples; the IBANs have the fictitious bank code XMPL, as the
// catalogue's, so no payment to them can reach a real account.
var seedCorporations = []struct{ name, account string }{
	{"Woonstichting De Stadspoort (voorbeeld)", "0000002001"},
	{"Woningcorporatie Het Volkshuis (voorbeeld)", "0000002002"},
	{"Wooncoöperatie Samen Thuis (voorbeeld)", "0000002003"},
}

var (
	seedFirstF = []string{"Anna", "Emma", "Sanne", "Lisa", "Fatima", "Samira", "Sevda", "Priya", "Maria", "Joyce",
		"Ingrid", "Els", "Marieke", "Noor", "Yasmina", "Aylin", "Chantal", "Petra", "Ilse", "Khadija", "Monique", "Tamara"}
	seedFirstM = []string{"Jan", "Peter", "Mohamed", "Mustafa", "Kees", "Dennis", "Ricardo", "Youssef", "Henk", "Bram",
		"Thijs", "Ahmet", "Stefan", "Marco", "Ruben", "Erik", "Hamza", "Gerrit", "Sven", "Kevin", "Ramon", "Wim"}
	seedLast = []string{"de Vries", "Jansen", "de Jong", "Bakker", "Visser", "Smit", "Meijer", "van der Berg", "Mulder",
		"de Boer", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Kok", "Postma", "El Amrani", "Yilmaz", "Bouzid",
		"Kaya", "Ramdin", "Pinas", "van Leeuwen", "Brouwer", "Dekker", "Wijnands", "Hoekstra", "Kramer", "Veenstra",
		"Ait Taleb", "Öztürk", "Nijenhuis", "Scholten", "Koster", "Haverkamp"}
	seedEmployers = []string{"Supermarkt De Korenbloem", "Schoonmaakbedrijf Glans B.V.", "Bezorgdienst Vlot B.V.",
		"Thuiszorg De Linde", "Uitzendbureau Werkt! B.V.", "Eetcafé Het Plein", "Kinderopvang Het Speelhuis",
		"Distributiecentrum Noord B.V.", "Groenvoorziening Buiten B.V.", "Kringloopwinkel De Tweede Kans"}
	seedBanks = []struct {
		code   string
		weight int
	}{{"INGB", 38}, {"RABO", 27}, {"ABNA", 20}, {"SNSB", 7}, {"ASNB", 3}, {"BUNQ", 3}, {"TRIO", 2}}
)

// seedOptions are the inputs of seed.
type seedOptions struct {
	tenant    tenant.ID
	residents int
	period    bijstand.Period
	seed      uint64
	workers   int
	now       func() time.Time // the app's clock
	progress  io.Writer        // progress lines; nil for none
}

// check validates the options that need no database. Every failure is a usageError.
func (o seedOptions) check() error {
	if !o.tenant.Valid() {
		return usageError{"plein seed: --tenant is required (an applied tenant id, such as zwolle)"}
	}
	if o.residents < 1 || o.residents > maxSeedResidents {
		return usageError{fmt.Sprintf("plein seed: --residents must be 1 to %d, not %d", maxSeedResidents, o.residents)}
	}
	if o.workers < 1 || o.workers > 64 {
		return usageError{fmt.Sprintf("plein seed: --workers must be 1 to 64, not %d", o.workers)}
	}
	// A payslip may be handed in at most a month ahead, so the period is at most next
	// month; before the oldest law file there is no norm to compute a month with.
	if next := bijstand.PeriodOf(o.now()).Next(); cmpSeedPeriod(o.period, next) > 0 {
		return usageError{fmt.Sprintf("plein seed: --period %s is too far ahead: at most %s", o.period, next)}
	}
	book, err := law.Load()
	if err != nil {
		return err
	}
	if _, err := book.At(o.period.First()); err != nil {
		return usageError{fmt.Sprintf("plein seed: --period %s: no bijstand norms are known for that month", o.period)}
	}
	return nil
}

func cmdSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("seed", stderr)
	tenantFlag := fs.String("tenant", "", "the gemeente to seed: an applied tenant id (required)")
	n := fs.Int("residents", 0, fmt.Sprintf("how many residents to make, 1 to %d (required)", maxSeedResidents))
	periodFlag := fs.String("period", "", "the month of the payslips and plans, YYYY-MM (default: the current month)")
	seedFlag := fs.Uint64("seed", 1, "seed of the random stream: the same seed makes the same caseload")
	workers := fs.Int("workers", defaultSeedWorkers, "residents seeded at the same time (each call is its own transaction)")
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("plein seed: unexpected argument %q", fs.Arg(0))}
	}
	t, err := tenant.Parse(*tenantFlag)
	if err != nil && *tenantFlag != "" {
		return usageError{fmt.Sprintf("plein seed: --tenant: %v", err)}
	}
	opts := seedOptions{tenant: t, residents: *n, seed: *seedFlag, workers: *workers, now: time.Now, progress: stderr}
	opts.period = bijstand.PeriodOf(opts.now())
	if *periodFlag != "" {
		if opts.period, err = bijstand.ParsePeriod(*periodFlag); err != nil {
			return usageError{"plein seed: --period: " + err.Error()}
		}
	}
	// Bad flags are reported before PostgreSQL is started.
	if err := opts.check(); err != nil {
		return err
	}

	log := newLogger(stderr)
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	local := os.Getenv(envDatabaseURL) == ""
	sealer, err := bsnSealer(*dataDir, local)
	if err != nil {
		return err
	}
	// No session is ever issued here; the app only needs a key to be built.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	a, err := buildApp(ctx, appConfig{log: log, appPool: appPool, sessionKey: key, sealer: sealer, now: opts.now})
	if err != nil {
		return err
	}
	rep, err := seed(ctx, a, opts)
	if err != nil {
		return err
	}
	rep.print(stdout)
	return nil
}

// seedReport is what seed made.
type seedReport struct {
	tenant    tenant.ID
	seed      uint64
	period    bijstand.Period
	planStart bijstand.Period // the period unless that has passed
	ids       []string        // the residents, in the order of the stream
	byKind    map[string]int
	children  int
	working   int // residents with a payslip paid in the period
	payslips  int // all payslips, the previous month's included
	prevSlips int // paid in the month before the period
	plans     map[string]int
	creditors []string // made for the tenant
	bsnBumps  int      // BSNs taken already, replaced by the next free number
	took      time.Duration
}

func (r seedReport) print(w io.Writer) {
	n := len(r.ids)
	var b strings.Builder
	fmt.Fprintf(&b, "plein seed: %d residents in %s for %s (seed %d) in %.1f s, %.0f residents/s\n",
		n, r.tenant, r.period, r.seed, r.took.Seconds(), float64(n)/max(r.took.Seconds(), 1e-3))
	pct := func(k int) string { return fmt.Sprintf("%d (%.0f %%)", k, 100*float64(k)/float64(max(n, 1))) }
	fmt.Fprintf(&b, "  households  single %s · single parent %s, %d children · couple %s · with kostendeler %s\n",
		pct(r.byKind[seedSingle]), pct(r.byKind[seedSingleParent]), r.children, pct(r.byKind[seedCouple]), pct(r.byKind[seedKostendeler]))
	fmt.Fprintf(&b, "  work        %s with a payslip paid in %s; %d payslips in all (%d paid in %s)\n",
		pct(r.working), r.period, r.payslips, r.prevSlips, r.period.Prev())
	fmt.Fprintf(&b, "  plans       zorgpremie %s · huur %s · verrekening %s · aflossing %s — approved, from %s\n",
		pct(r.plans[seedZorgpremie]), pct(r.plans[seedHuur]), pct(r.plans[seedVerrekening]), pct(r.plans[seedAflossing]), r.planStart)
	if len(r.creditors) > 0 {
		fmt.Fprintf(&b, "  creditors   made: %s\n", strings.Join(r.creditors, "; "))
	}
	if r.bsnBumps > 0 {
		fmt.Fprintf(&b, "  BSNs        %d were taken already; the next free number was used\n", r.bsnBumps)
	}
	if r.planStart != r.period {
		fmt.Fprintf(&b, "  note        %s has passed: the plans start in %s, the current month (a plan never starts in the past)\n",
			r.period, r.planStart)
	}
	fmt.Fprint(w, b.String())
}

// seedPerson is one resident to make: the case, the payslips and the plans.
type seedPerson struct {
	kind     string
	resident residents.NewResident
	payslips []income.NewPayslip
	plans    []seedPlan
}

type seedPlan struct {
	label string
	plan  paymentplans.NewPlan
	by    paymentplans.Actor
}

// seedCreditors are the creditors the plans go to.
type seedCreditors struct {
	zorg         []creditors.Creditor
	zorgWeights  []int
	corporations []creditors.Creditor
	claims       creditors.Creditor // the gemeente's own (verrekening)
	aflossing    []creditors.Creditor
	made         []string
}

// seed makes opts.residents residents in opts.tenant with their payslips and
// approved plans, opts.workers at a time.
func seed(ctx context.Context, a *app, opts seedOptions) (seedReport, error) {
	start := time.Now()
	if opts.now == nil {
		opts.now = time.Now
	}
	if opts.workers == 0 {
		opts.workers = defaultSeedWorkers
	}
	if err := opts.check(); err != nil {
		return seedReport{}, err
	}
	tt, ok := a.dir.ByID(opts.tenant)
	if !ok {
		return seedReport{}, fmt.Errorf("plein seed: tenant %q has no applied config: apply it first (plein tenant apply -f FILE)", opts.tenant)
	}
	if tt.Status != "active" && tt.Status != "onboarding" {
		return seedReport{}, fmt.Errorf("plein seed: tenant %q is %s: only an active or onboarding tenant is seeded", opts.tenant, tt.Status)
	}
	cur := bijstand.PeriodOf(opts.now())
	rep := seedReport{tenant: opts.tenant, seed: opts.seed, period: opts.period, planStart: opts.period,
		byKind: map[string]int{}, plans: map[string]int{}}
	if cmpSeedPeriod(opts.period, cur) < 0 {
		rep.planStart = cur
	}
	cr, err := ensureSeedCreditors(ctx, a, opts.tenant, tt.Config.Name)
	if err != nil {
		return seedReport{}, err
	}
	rep.creditors = cr.made

	g := newSeedGen(opts, rep.planStart, cr)
	people, err := g.people()
	if err != nil {
		return seedReport{}, err
	}
	rep.ids = make([]string, len(people))
	bumps := make([]int, len(people))

	var done atomic.Int64
	step := int64(max(1000, len(people)/10))
	eg, gctx := errgroup.WithContext(ctx)
	eg.SetLimit(opts.workers)
	for i := range people {
		if gctx.Err() != nil {
			break
		}
		eg.Go(func() error {
			id, b, err := seedOne(gctx, a, opts.tenant, &people[i], g.bsns)
			if err != nil {
				return fmt.Errorf("plein seed: resident %d of %d: %w", i+1, len(people), err)
			}
			rep.ids[i], bumps[i] = id, b
			if d := done.Add(1); opts.progress != nil && len(people) >= 2000 && d%step == 0 {
				fmt.Fprintf(opts.progress, "plein seed: %d/%d residents (%.1f s)\n", d, len(people), time.Since(start).Seconds())
			}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return seedReport{}, fmt.Errorf("%w (%d residents were made before the error)", err, done.Load())
	}
	if err := ctx.Err(); err != nil {
		return seedReport{}, err
	}
	for i, p := range people {
		rep.bsnBumps += bumps[i]
		rep.byKind[p.kind]++
		rep.children += len(p.resident.Children)
		rep.payslips += len(p.payslips)
		for _, ps := range p.payslips {
			if bijstand.PeriodOf(ps.PayDate) == opts.period {
				rep.working++
			} else {
				rep.prevSlips++
			}
		}
		for _, pl := range p.plans {
			rep.plans[pl.label]++
		}
	}
	rep.took = time.Since(start)
	return rep, nil
}

// seedOne makes one resident, its payslips and plans, and returns the resident's id
// and how many times its BSNs were found taken.
func seedOne(ctx context.Context, a *app, t tenant.ID, p *seedPerson, bsns *seedBSNs) (string, int, error) {
	var r residents.Resident
	bumps := 0
	for {
		var err error
		r, err = a.residents.Create(ctx, t, p.resident)
		if err == nil {
			break
		}
		if !errors.Is(err, residents.ErrDuplicateBSN) || bumps == seedBSNRetries {
			return "", bumps, err
		}
		// Which of the two numbers is taken is not told; both move on.
		bumps++
		p.resident.BSN = residents.BSNInput(bsns.next(string(p.resident.BSN)))
		if p.resident.Partner != nil {
			p.resident.Partner.BSN = residents.BSNInput(bsns.next(string(p.resident.Partner.BSN)))
		}
	}
	for _, ps := range p.payslips {
		if _, err := a.income.SubmitPayslip(ctx, t, r.ID, ps, income.SourceConsulent); err != nil {
			return r.ID, bumps, fmt.Errorf("payslip: %w", err)
		}
	}
	for _, sp := range p.plans {
		pl, err := a.plans.Request(ctx, t, r.ID, sp.plan, sp.by)
		if err != nil {
			return r.ID, bumps, fmt.Errorf("%s plan: %w", sp.label, err)
		}
		if _, err := a.plans.Approve(ctx, t, pl.ID, sp.by); err != nil {
			return r.ID, bumps, fmt.Errorf("%s plan: %w", sp.label, err)
		}
	}
	return r.ID, bumps, nil
}

// ensureSeedCreditors finds the catalogue creditors the plans go to and makes the
// tenant's own (woningcorporaties, the gemeente's claims) when missing.
func ensureSeedCreditors(ctx context.Context, a *app, t tenant.ID, gemeente string) (seedCreditors, error) {
	var cr seedCreditors
	get := func(id string) (creditors.Creditor, error) {
		c, err := a.creditors.Get(ctx, t, id)
		if err != nil {
			return c, fmt.Errorf("plein seed: creditor %s of the catalogue: %w", id, err)
		}
		if _, err := referenceFor(mrand.New(mrand.NewPCG(0, 0)), c); err != nil {
			return c, err
		}
		return c, nil
	}
	for _, z := range seedZorg {
		c, err := get(z.id)
		if err != nil {
			return cr, err
		}
		cr.zorg, cr.zorgWeights = append(cr.zorg, c), append(cr.zorgWeights, z.weight)
	}
	for _, id := range seedAflossingCatalogue {
		c, err := get(id)
		if err != nil {
			return cr, err
		}
		cr.aflossing = append(cr.aflossing, c)
	}
	list, err := a.creditors.List(ctx, t)
	if err != nil {
		return cr, fmt.Errorf("plein seed: %w", err)
	}
	find := func(name string) (creditors.Creditor, bool) {
		for _, c := range list {
			if !c.Catalogue && strings.EqualFold(c.Name, name) {
				return c, true
			}
		}
		return creditors.Creditor{}, false
	}
	own := func(nc creditors.NewCreditor) (creditors.Creditor, error) {
		if c, ok := find(nc.Name); ok {
			return c, nil
		}
		c, err := a.creditors.Create(ctx, t, nc)
		if errors.Is(err, creditors.ErrDuplicate) {
			// Made by a seed running at the same time: use that one.
			if list, err = a.creditors.List(ctx, t); err != nil {
				return c, fmt.Errorf("plein seed: %w", err)
			}
			if c, ok := find(nc.Name); ok {
				return c, nil
			}
			return c, fmt.Errorf("plein seed: creditor %q: %w", nc.Name, creditors.ErrDuplicate)
		}
		if err != nil {
			return c, fmt.Errorf("plein seed: creditor %q: %w", nc.Name, err)
		}
		cr.made = append(cr.made, c.Name)
		return c, nil
	}
	for _, wc := range seedCorporations {
		c, err := own(creditors.NewCreditor{Name: wc.name, Kind: string(creditors.KindWoningcorporatie),
			IBAN: nlIBAN("XMPL", wc.account), Example: true, ReferenceName: "contractnummer", ReferencePattern: "[0-9]{8}",
			ReferenceHint:   "Uw contractnummer staat op uw huurcontract en op de brief over de huurverhoging. Het heeft 8 cijfers.",
			ReferenceHintEN: "Your contract number is on your rental agreement and on the rent increase letter. It has 8 digits."})
		if err != nil {
			return cr, err
		}
		if _, err := referenceFor(mrand.New(mrand.NewPCG(0, 0)), c); err != nil {
			return cr, err
		}
		cr.corporations = append(cr.corporations, c)
	}
	cr.aflossing = append(cr.aflossing, cr.corporations...)
	cr.claims, err = own(creditors.NewCreditor{Name: gemeente + " (terugvordering, voorbeeld)", Kind: string(creditors.KindOverig),
		IBAN: nlIBAN("XMPL", "0000003001"), Example: true, ReferenceName: "betalingskenmerk", ReferencePattern: "[0-9]{16}",
		ReferenceHint:   "Het betalingskenmerk staat op de brief van de gemeente over de terugvordering. Het heeft 16 cijfers.",
		ReferenceHintEN: "The payment reference is on the municipality's letter about the recovery. It has 16 digits."})
	if err != nil {
		return cr, err
	}
	if _, err := referenceFor(mrand.New(mrand.NewPCG(0, 0)), cr.claims); err != nil {
		return cr, err
	}
	return cr, nil
}

// seedGen draws the caseload from one random stream, in order, so that it does not
// depend on how the work is spread over goroutines.
type seedGen struct {
	rng       *mrand.Rand
	opts      seedOptions
	planStart bijstand.Period
	cr        seedCreditors
	ref       time.Time // ages are taken on this day: the period's first, or today if earlier
	today     time.Time
	bsns      *seedBSNs
}

func newSeedGen(opts seedOptions, planStart bijstand.Period, cr seedCreditors) *seedGen {
	h := fnv.New64a()
	h.Write([]byte(opts.tenant))
	y, m, d := opts.now().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	ref := opts.period.First()
	if today.Before(ref) {
		ref = today
	}
	return &seedGen{rng: mrand.New(mrand.NewPCG(opts.seed, h.Sum64())), opts: opts, planStart: planStart, cr: cr,
		ref: ref, today: today, bsns: &seedBSNs{used: map[uint32]bool{}}}
}

// quota marks exactly round(share × n) of n positions, at random.
func (g *seedGen) quota(n int, share float64) []bool {
	out := make([]bool, n)
	k := min(n, int(math.Round(share*float64(n))))
	for _, i := range g.rng.Perm(n)[:k] {
		out[i] = true
	}
	return out
}

// people draws the whole caseload. The shares are exact (rounded), not sampled, so a
// small caseload has the mix too; who gets what is random.
func (g *seedGen) people() ([]seedPerson, error) {
	n := g.opts.residents
	kinds := make([]string, 0, n)
	for _, k := range []struct {
		kind  string
		share float64
	}{{seedSingle, shareSingle}, {seedSingleParent, shareSingleParent}, {seedCouple, shareCouple}} {
		for range min(n-len(kinds), int(math.Round(k.share*float64(n)))) {
			kinds = append(kinds, k.kind)
		}
	}
	for len(kinds) < n {
		kinds = append(kinds, seedKostendeler)
	}
	g.rng.Shuffle(n, func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	work, zorg, rent := g.quota(n, shareWork), g.quota(n, shareZorgpremie), g.quota(n, shareRent)
	verr, afl := g.quota(n, shareVerrekening), g.quota(n, shareAflossing)

	out := make([]seedPerson, n)
	for i := range out {
		p := &out[i]
		p.kind = kinds[i]
		age := g.household(p)
		if work[i] {
			g.work(p)
		}
		if rent[i] {
			if err := g.rent(p, age); err != nil {
				return nil, err
			}
		}
		if zorg[i] {
			if err := g.zorgpremie(p); err != nil {
				return nil, err
			}
		}
		if verr[i] {
			if err := g.verrekening(p); err != nil {
				return nil, err
			}
		}
		if afl[i] {
			if err := g.aflossing(p); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// weighted returns an index of weights, drawn in proportion to them.
func (g *seedGen) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	k := g.rng.IntN(total)
	i := 0
	for ; k >= weights[i]; i++ {
		k -= weights[i]
	}
	return i
}

// between returns a number in [lo, hi].
func (g *seedGen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// birth is a birth date of someone aged age on g.ref.
func (g *seedGen) birth(age int) string {
	return g.ref.AddDate(-age, 0, -g.rng.IntN(365)).Format(time.DateOnly)
}

// adultAge draws an applicant's age: mostly 21 to 66, a few 18–20 (young) or at AOW
// age (aowShare; bijstand then tops up an incomplete AOW).
func (g *seedGen) adultAge(youngShare, aowShare float64) int {
	switch u := g.rng.Float64(); {
	case u < youngShare:
		return g.between(18, 20)
	case u < youngShare+aowShare:
		return g.between(67, 70)
	}
	// Rough age bands of the bijstand population.
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

func (g *seedGen) name(female bool, last string) string {
	first := seedFirstM
	if female {
		first = seedFirstF
	}
	return first[g.rng.IntN(len(first))] + " " + last
}

func (g *seedGen) lastName() string { return seedLast[g.rng.IntN(len(seedLast))] }

func (g *seedGen) children(n, parentAge int) []residents.NewChild {
	var cs []residents.NewChild
	for range n {
		cs = append(cs, residents.NewChild{BirthDate: g.birth(g.between(0, min(17, parentAge-18)))})
	}
	return cs
}

func (g *seedGen) childCount() int {
	switch u := g.rng.Float64(); {
	case u < 0.5:
		return 1
	case u < 0.85:
		return 2
	}
	return 3
}

// household draws the case and returns the resident's age.
func (g *seedGen) household(p *seedPerson) int {
	female := g.rng.IntN(2) == 0
	last := g.lastName()
	nr := residents.NewResident{IBAN: g.iban(), BSN: residents.BSNInput(g.bsns.fresh(g.rng))}
	var age int
	switch p.kind {
	case seedSingle:
		nr.Kind = string(bijstand.KindSingle)
		age = g.adultAge(0.05, 0.04)
	case seedKostendeler:
		nr.Kind = string(bijstand.KindSingle)
		age = g.adultAge(0.03, 0.04)
		hmAge := g.between(27, 80)
		var desc string
		switch {
		case hmAge >= age+18:
			desc = []string{"moeder", "vader"}[g.rng.IntN(2)]
		case hmAge <= age-18:
			desc = []string{"zoon", "dochter"}[g.rng.IntN(2)]
		default:
			desc = []string{"broer", "zus", "vriend", "vriendin", "neef", "nicht"}[g.rng.IntN(6)]
		}
		nr.Housemates = []residents.NewHousemate{{BirthDate: g.birth(hmAge), CostSharer: true, Description: desc}}
	case seedSingleParent:
		nr.Kind = string(bijstand.KindSingleParent)
		female = g.rng.Float64() < 0.85
		age = g.between(21, 55)
		nr.Children = g.children(g.childCount(), age)
		nr.RMonthsUsed = g.rng.IntN(13)
	case seedCouple:
		nr.Kind = string(bijstand.KindCouple)
		age = g.adultAge(0, 0.06)
		pAge := max(21, min(75, age+g.between(-6, 6)))
		partnerLast := last
		if g.rng.IntN(3) == 0 {
			partnerLast = g.lastName()
		}
		nr.Partner = &residents.NewPartner{Name: g.name(!female, partnerLast), BirthDate: g.birth(pAge),
			BSN: residents.BSNInput(g.bsns.fresh(g.rng))}
		if age <= 50 && g.rng.IntN(2) == 0 {
			nr.Children = g.children(g.childCount(), min(age, pAge))
		}
	}
	nr.Name = g.name(female, last)
	nr.BirthDate = g.birth(age)
	// Young people on their own have no parents to rely on (art. 20.3): most who
	// apply live on their own.
	nr.ParentsCannotSupport = age < 21
	p.resident = nr
	return age
}

// work adds a payslip paid in the period, and for half of the workers one paid the
// month before: a part-time job at 13.68 to 18.00 an hour.
func (g *seedGen) work(p *seedPerson) {
	nr := &p.resident
	applicant := 0
	if nr.Partner != nil && g.rng.IntN(10) < 3 {
		applicant = 1
	}
	// The vrijlating counters of whoever works: some have used up their months.
	nUsed, medisch := g.rng.IntN(13), g.rng.IntN(20) == 0
	if applicant == 0 {
		nr.NMonthsUsed, nr.MedischUrenbeperkt = nUsed, medisch
	} else {
		nr.Partner.NMonthsUsed, nr.Partner.MedischUrenbeperkt = nUsed, medisch
	}
	employer := seedEmployers[g.rng.IntN(len(seedEmployers))]
	wage := int64(g.between(1368, 1800)) // cents an hour, gross
	net := int64(g.between(30000, 140000))
	p.payslips = append(p.payslips, g.payslip(applicant, employer, wage, net, g.opts.period))
	if g.rng.Float64() < sharePrevPayslip {
		prevNet := max(30000, min(140000, net*int64(g.between(85, 115))/100))
		p.payslips = append(p.payslips, g.payslip(applicant, employer, wage, prevNet, g.opts.period.Prev()))
	}
}

// payslip is a month's payslip: whole quarter hours at wage, the gross about 5 to 22 %
// above the net (loonheffing, premies), paid on a day from the 20th to the 28th.
func (g *seedGen) payslip(applicant int, employer string, wage, net int64, period bijstand.Period) income.NewPayslip {
	ratio := float64(g.between(78, 95)) / 100
	quarters := max(1, int64(math.Round(float64(net)/ratio/float64(wage)*4)))
	gross := func(q int64) int64 { return (q*wage + 2) / 4 } // q/4 hours × wage, half up
	for gross(quarters) < net {
		quarters++
	}
	first := period.First()
	pay := time.Date(first.Year(), first.Month(), g.between(20, 28), 0, 0, 0, 0, time.UTC)
	// The income service takes pay dates at most 31 days ahead.
	if limit := g.today.AddDate(0, 0, 31); pay.After(limit) {
		pay = limit
	}
	return income.NewPayslip{Applicant: applicant, Employer: employer, PeriodStart: first,
		PeriodEnd: first.AddDate(0, 1, -1), Gross: money.Cents(gross(quarters)), Net: money.Cents(net),
		HoursCenti: quarters * 25, PayDate: pay, Actor: "plein seed"}
}

// signedOn is the day a paper mandate was signed: in the last two months.
func (g *seedGen) signedOn() string {
	return g.today.AddDate(0, 0, -g.rng.IntN(60)).Format(time.DateOnly)
}

// addPlan adds a plan of kind to c from the plans' first month, for months months (0:
// until stopped); an on_behalf plan with a paper mandate signed lately.
func (g *seedGen) addPlan(p *seedPerson, label string, kind bijstand.DeductionKind, c creditors.Creditor, amount int64,
	priority, months int, by paymentplans.Actor) error {
	ref, err := referenceFor(g.rng, c)
	if err != nil {
		return err
	}
	np := paymentplans.NewPlan{Kind: string(kind), CreditorID: c.ID, Reference: ref, AmountCents: amount, Priority: priority,
		StartPeriod: g.planStart.String()}
	if months > 0 {
		end := g.planStart
		for range months - 1 {
			end = end.Next()
		}
		np.EndPeriod = end.String()
	}
	if kind == bijstand.DeductOnBehalf {
		np.MandateSignedOn = g.signedOn()
	}
	p.plans = append(p.plans, seedPlan{label: label, plan: np, by: by})
	return nil
}

// rent is the net rent (after huurtoeslag) of a social home, paid on behalf: less
// for the young (a room) and for who shares the home.
func (g *seedGen) rent(p *seedPerson, age int) error {
	lo, hi := 450, 700
	switch {
	case age < 21, p.kind == seedKostendeler:
		lo, hi = 300, 450
	case p.kind == seedCouple, p.kind == seedSingleParent:
		lo, hi = 550, 750
	}
	c := g.cr.corporations[g.rng.IntN(len(g.cr.corporations))]
	amount := int64(g.between(lo, hi))*100 + int64(g.rng.IntN(100))
	return g.addPlan(p, seedHuur, bijstand.DeductOnBehalf, c, amount, 10, 0, seeder)
}

func (g *seedGen) zorgpremie(p *seedPerson) error {
	c := g.cr.zorg[g.weighted(g.cr.zorgWeights)]
	return g.addPlan(p, seedZorgpremie, bijstand.DeductOnBehalf, c, int64(g.between(15000, 17500)), 20, 0, seeder)
}

// verrekening is a terugvordering of the gemeente, repaid over 6 to 24 months.
func (g *seedGen) verrekening(p *seedPerson) error {
	return g.addPlan(p, seedVerrekening, bijstand.DeductVerrekening, g.cr.claims, int64(g.between(2500, 7000)), 30,
		g.between(6, 24), seeder)
}

// aflossing is one creditor's share of an agreed schuldregeling: 18 months.
func (g *seedGen) aflossing(p *seedPerson) error {
	c := g.cr.aflossing[g.rng.IntN(len(g.cr.aflossing))]
	return g.addPlan(p, seedAflossing, bijstand.DeductAflossing, c, int64(g.between(2000, 6000)), 50, 18, schuldregeling)
}

func (g *seedGen) iban() string {
	weights := make([]int, len(seedBanks))
	for i, b := range seedBanks {
		weights[i] = b.weight
	}
	return nlIBAN(seedBanks[g.weighted(weights)].code, fmt.Sprintf("%010d", g.rng.Int64N(1e10)))
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

// seedBSNs are the BSNs handed out by this seed: none twice. Numbers are drawn from
// 900000000–999999999; when one turns out to be taken in the tenant, the next free
// valid number follows it.
type seedBSNs struct {
	mu   sync.Mutex
	used map[uint32]bool
}

// fresh draws a valid BSN not handed out before (generation is sequential).
func (s *seedBSNs) fresh(rng *mrand.Rand) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		n := 900000000 + rng.Uint32N(100000000)
		if elfproef(n) && !s.used[n] {
			s.used[n] = true
			return fmt.Sprintf("%09d", n)
		}
	}
}

// next returns the first valid BSN after b not handed out before.
func (s *seedBSNs) next(b string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := strconv.ParseUint(b, 10, 32)
	n := uint32(v)
	for {
		if n++; n > 999999999 {
			n = 900000000
		}
		if elfproef(n) && !s.used[n] {
			s.used[n] = true
			return fmt.Sprintf("%09d", n)
		}
	}
}

// elfproef is the BSN 11-proef: 9a+8b+7c+6d+5e+4f+3g+2h−i ≡ 0 (mod 11), not 0.
func elfproef(n uint32) bool {
	if n == 0 || n > 999999999 {
		return false
	}
	sum := -int(n % 10)
	n /= 10
	for w := 2; w <= 9; w++ {
		sum += w * int(n%10)
		n /= 10
	}
	return sum%11 == 0
}

// digitsPattern is the form of the reference patterns seed can fill: n, or n to m digits.
var digitsPattern = regexp.MustCompile(`^\[0-9\]\{(\d+)(?:,(\d+))?\}$`)

// referenceFor draws a reference that matches c's pattern ("[0-9]{9}", "[0-9]{7,10}"),
// checked with the creditor's own validation.
func referenceFor(rng *mrand.Rand, c creditors.Creditor) (string, error) {
	m := digitsPattern.FindStringSubmatch(c.Reference.Pattern)
	if m == nil {
		return "", fmt.Errorf("plein seed: creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	lo, _ := strconv.Atoi(m[1])
	hi := lo
	if m[2] != "" {
		hi, _ = strconv.Atoi(m[2])
	}
	if lo < 1 || hi < lo || hi > 35 {
		return "", fmt.Errorf("plein seed: creditor %s: cannot make a reference for the pattern %q", c.ID, c.Reference.Pattern)
	}
	n := lo + rng.IntN(hi-lo+1)
	b := make([]byte, n)
	b[0] = byte('1' + rng.IntN(9))
	for i := 1; i < n; i++ {
		b[i] = byte('0' + rng.IntN(10))
	}
	if err := creditors.ValidateReference(c, string(b)); err != nil {
		return "", fmt.Errorf("plein seed: creditor %s: %w", c.ID, err)
	}
	return string(b), nil
}

func cmpSeedPeriod(a, b bijstand.Period) int {
	switch {
	case a.Year != b.Year:
		return a.Year - b.Year
	default:
		return int(a.Month) - int(b.Month)
	}
}
