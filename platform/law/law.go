// Package law holds the national parameters of the Participatiewet and related law as
// data: one file per valid_from date in data/, each value with its article and source,
// embedded in the binary. Evaluation always happens as of a date: At returns the
// parameters in force on that day. Adding the figures of 1 July 2026 or of 2027 is
// adding a file, not changing code.
//
// A value a file does not state is not taken from an earlier file: the bijstandsnormen
// are indexed every half year, so an older amount would be a wrong amount. A month that
// needs an unstated value fails with ErrNotPublished naming it.
//
// Each file also says when the next indexation is due (next_indexation, art. 38 Pw). A
// month from that date on, with no newer file, is still computed with the file, but
// the data is stale: Staleness says so and since when, and the engine, the portal, the
// operators' page, a metric and the settlement run carry it on.
package law

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/plein-nl/plein/platform/money"
)

//go:embed data/*.yaml
var dataFS embed.FS

// Errors.
var (
	// ErrBeforeFirst is returned for a date before the first parameter file.
	ErrBeforeFirst = errors.New("law: no parameters in force on this date")
	// ErrNotPublished is returned when the parameters in force lack a value.
	ErrNotPublished = errors.New("law: value not in the law data for this date")
)

// Amount is a published amount with where it comes from.
type Amount struct {
	Cents   money.Cents `yaml:"cents"`
	Article string      `yaml:"article"`
	Source  string      `yaml:"source"`
}

// Value is a published whole number (an age, a count).
type Value struct {
	Value   int    `yaml:"value"`
	Article string `yaml:"article"`
	Source  string `yaml:"source"`
}

// Rate is a published percentage as an exact fraction.
type Rate struct {
	Num     int64  `yaml:"num"`
	Den     int64  `yaml:"den"`
	Article string `yaml:"article"`
	Source  string `yaml:"source"`
}

// Norms are the bijstandsnormen (arts. 20–23); nil means not published for the date.
type Norms struct {
	Single                   *Amount `yaml:"single"`
	Couple                   *Amount `yaml:"couple"`
	SingleAOW                *Amount `yaml:"single_aow"`
	CoupleAOW                *Amount `yaml:"couple_aow"`
	YouthSingle              *Amount `yaml:"youth_single"`
	YouthCouple              *Amount `yaml:"youth_couple"`
	YouthCoupleChildren      *Amount `yaml:"youth_couple_children"`
	YouthMixedCouple         *Amount `yaml:"youth_mixed_couple"`
	YouthMixedCoupleChildren *Amount `yaml:"youth_mixed_couple_children"`
	YouthSupplement          *Amount `yaml:"youth_supplement"`
	InstitutionSingle        *Amount `yaml:"institution_single"`
	InstitutionCouple        *Amount `yaml:"institution_couple"`
	InstitutionZorgSingle    *Amount `yaml:"institution_zorg_single"`
	InstitutionZorgCouple    *Amount `yaml:"institution_zorg_couple"`
}

// Kostendelers is the kostendelersnorm (art. 22a): each applicant's norm is
// (Base % + A × PerPerson %) / A of the gehuwdennorm.
type Kostendelers struct {
	BasePercent      int64  `yaml:"base_percent"`
	PerPersonPercent int64  `yaml:"per_person_percent"`
	MinAge           int    `yaml:"min_age"`
	Article          string `yaml:"article"`
	Source           string `yaml:"source"`
}

// Vrijlating is one kind of art. 31.2 inkomstenvrijlating, in the order of the file.
type Vrijlating struct {
	Kind       string      `yaml:"kind"` // "n", "y" or "r"
	Num        int64       `yaml:"num"`
	Den        int64       `yaml:"den"`
	Max        money.Cents `yaml:"max_cents"`
	MaxMonths  int         `yaml:"max_months"` // 0: no limit
	MinAge     int         `yaml:"min_age"`    // 0: none
	ChildUnder int         `yaml:"child_under"`
	Article    string      `yaml:"article"`
	Source     string      `yaml:"source"`
}

// AOWAge is the statutory AOW age for people born in a range of dates.
type AOWAge struct {
	BornFrom  *Date  `yaml:"born_from"`
	BornUntil Date   `yaml:"born_until"`
	Years     int    `yaml:"years"`
	Months    int    `yaml:"months"`
	Article   string `yaml:"article"`
	Source    string `yaml:"source"`
}

// Rules are the structural rules: ages, percentages, the vrijlating kinds.
type Rules struct {
	MinimumAge      Value        `yaml:"minimum_age"`
	AdultAge        Value        `yaml:"adult_age"`
	ChildAge        Value        `yaml:"child_age"`
	Vakantietoeslag Rate         `yaml:"vakantietoeslag"`
	BeslagvrijeVoet Rate         `yaml:"beslagvrije_voet"`
	Kostendelers    Kostendelers `yaml:"kostendelers"`
	Vrijlating      []Vrijlating `yaml:"vrijlating"`
	AOWAge          []AOWAge     `yaml:"aow_age"`
}

// Params are the parameters in force from ValidFrom until the next file.
type Params struct {
	ValidFrom Date `yaml:"valid_from"`
	// NextIndexation is when the norms of this file are due to be indexed: a month from
	// then on without a newer file is computed on stale data.
	NextIndexation Indexation `yaml:"next_indexation"`
	Norms          Norms      `yaml:"norms"`
	Rules          Rules      `yaml:"rules"`
	File           string     `yaml:"-"`
}

// Indexation is the date the next indexation of the norms is due, with its source.
type Indexation struct {
	Due     *Date  `yaml:"due"`
	Article string `yaml:"article"`
	Source  string `yaml:"source"`
}

// Date is a calendar date in a parameter file (YYYY-MM-DD).
type Date struct{ time.Time }

// UnmarshalYAML parses YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a date YYYY-MM-DD", n.Line, n.Value)
	}
	d.Time = t
	return nil
}

// Book is every parameter file, ordered by date.
type Book struct {
	files []*Params
}

// Load reads and checks the embedded parameter files.
func Load() (*Book, error) { return LoadFS(dataFS, "data") }

// LoadFS reads and checks the parameter files *.yaml in dir of fsys: Load's files, or a
// test's.
func LoadFS(fsys fs.FS, dir string) (*Book, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("law: %w", err)
	}
	b := &Book{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		name := path.Join(dir, e.Name())
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("law: %w", err)
		}
		p, err := parse(name, src)
		if err != nil {
			return nil, err
		}
		b.files = append(b.files, p)
	}
	if len(b.files) == 0 {
		return nil, errors.New("law: no parameter files")
	}
	sort.Slice(b.files, func(i, j int) bool { return b.files[i].ValidFrom.Before(b.files[j].ValidFrom.Time) })
	return b, nil
}

// MustLoad is Load for program start-up and tests: the embedded files are checked by the
// tests, so a failure here is a build defect.
func MustLoad() *Book {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

func parse(name string, src []byte) (*Params, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	var p Params
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("law: %s: %w", name, err)
	}
	p.File = name
	if want := strings.TrimSuffix(path.Base(name), ".yaml"); p.ValidFrom.Format(time.DateOnly) != want {
		return nil, fmt.Errorf("law: %s: valid_from %s does not match the file name", name, p.ValidFrom.Format(time.DateOnly))
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("law: %s: %w", name, err)
	}
	if err := p.checkIndexation(); err != nil {
		return nil, fmt.Errorf("law: %s: %w", name, err)
	}
	return &p, nil
}

// checkIndexation refuses a file that does not say when its norms are next indexed:
// without it a month after that date would use the old norms without a word.
func (p *Params) checkIndexation() error {
	n := p.NextIndexation
	switch {
	case n.Due == nil:
		return errors.New("next_indexation.due is required: the date the next indexation of the norms is due (art. 38 Pw: 1 January and 1 July)")
	case !n.Due.After(p.ValidFrom.Time):
		return fmt.Errorf("next_indexation.due %s must be after valid_from %s", n.Due.Format(time.DateOnly), p.ValidFrom.Format(time.DateOnly))
	case n.Article == "" || n.Source == "":
		return errors.New("next_indexation needs an article and a source")
	}
	return nil
}

// check refuses a file that is incomplete or inconsistent: every stated value needs
// its article and source, and the structural rules must all be there.
func (p *Params) check() error {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	for name, a := range p.Norms.all() {
		if a == nil {
			continue
		}
		if a.Cents <= 0 || a.Article == "" || a.Source == "" {
			add("norms.%s needs positive cents, an article and a source", name)
		}
	}
	r := p.Rules
	for name, v := range map[string]Value{"minimum_age": r.MinimumAge, "adult_age": r.AdultAge, "child_age": r.ChildAge} {
		if v.Value <= 0 || v.Article == "" || v.Source == "" {
			add("rules.%s needs a value, an article and a source", name)
		}
	}
	for name, rate := range map[string]Rate{"vakantietoeslag": r.Vakantietoeslag, "beslagvrije_voet": r.BeslagvrijeVoet} {
		if rate.Num <= 0 || rate.Den <= 0 || rate.Num > rate.Den || rate.Article == "" || rate.Source == "" {
			add("rules.%s needs 0 < num ≤ den, an article and a source", name)
		}
	}
	k := r.Kostendelers
	if k.BasePercent <= 0 || k.PerPersonPercent <= 0 || k.MinAge <= 0 || k.Article == "" || k.Source == "" {
		add("rules.kostendelers is incomplete")
	}
	seen := map[string]bool{}
	for i, v := range r.Vrijlating {
		if v.Kind != "n" && v.Kind != "y" && v.Kind != "r" || seen[v.Kind] {
			add("rules.vrijlating[%d]: kind must be n, y or r, once each", i)
		}
		seen[v.Kind] = true
		if v.Num <= 0 || v.Den <= 0 || v.Max <= 0 || v.Article == "" || v.Source == "" {
			add("rules.vrijlating[%d] needs a percentage, a maximum, an article and a source", i)
		}
		if v.Kind == "r" && v.ChildUnder <= 0 {
			add("rules.vrijlating[%d]: r needs child_under", i)
		}
	}
	if len(r.AOWAge) == 0 {
		add("rules.aow_age is empty")
	}
	for i, a := range r.AOWAge {
		if a.Years < 60 || a.Months < 0 || a.Months > 11 || a.Article == "" || a.Source == "" {
			add("rules.aow_age[%d] needs years, months 0–11, an article and a source", i)
		}
		if i > 0 && (a.BornFrom == nil || !a.BornFrom.After(r.AOWAge[i-1].BornUntil.Time)) {
			add("rules.aow_age[%d]: born_from must follow the previous row's born_until", i)
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func (n *Norms) all() map[string]*Amount {
	return map[string]*Amount{
		"single": n.Single, "couple": n.Couple, "single_aow": n.SingleAOW, "couple_aow": n.CoupleAOW,
		"youth_single": n.YouthSingle, "youth_couple": n.YouthCouple, "youth_couple_children": n.YouthCoupleChildren,
		"youth_mixed_couple": n.YouthMixedCouple, "youth_mixed_couple_children": n.YouthMixedCoupleChildren,
		"youth_supplement": n.YouthSupplement, "institution_single": n.InstitutionSingle, "institution_couple": n.InstitutionCouple,
		"institution_zorg_single": n.InstitutionZorgSingle, "institution_zorg_couple": n.InstitutionZorgCouple,
	}
}

// At returns the parameters in force on day.
func (b *Book) At(day time.Time) (*Params, error) {
	i := sort.Search(len(b.files), func(i int) bool { return b.files[i].ValidFrom.After(day) })
	if i == 0 {
		return nil, fmt.Errorf("%w: %s is before %s, the first date in the law data", ErrBeforeFirst,
			day.Format(time.DateOnly), b.files[0].ValidFrom.Format(time.DateOnly))
	}
	return b.files[i-1], nil
}

// File returns the parameter set of the file named name ("data/2026-01-01.yaml", as
// Params.File names it): what a stored month's receipt names, to compute it again with
// the parameters it was computed with.
func (b *Book) File(name string) (*Params, bool) {
	for _, p := range b.files {
		if p.File == name {
			return p, true
		}
	}
	return nil, false
}

// Staleness says whether the parameters in force on day are stale: day is on or after
// the date their next indexation was due, and no newer file is in force by then. due
// is that date and file the file in force (both also when it is not stale); a day
// before the first file is not stale and names no file.
func (b *Book) Staleness(day time.Time) (stale bool, due time.Time, file string) {
	p, err := b.At(day)
	if err != nil {
		return false, time.Time{}, ""
	}
	due = p.NextIndexation.Due.Time
	return !day.Before(due), due, p.File
}

// Files returns every parameter set, oldest first.
func (b *Book) Files() []*Params { return append([]*Params(nil), b.files...) }

// Need returns the amount or ErrNotPublished naming it.
func (p *Params) Need(a *Amount, name string) (*Amount, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: %s (valid from %s; add it to platform/law/%s)", ErrNotPublished, name,
			p.ValidFrom.Format(time.DateOnly), p.File)
	}
	return a, nil
}

// VrijlatingKind returns the rule of one vrijlating kind, or nil.
func (p *Params) VrijlatingKind(kind string) *Vrijlating {
	for i := range p.Rules.Vrijlating {
		if p.Rules.Vrijlating[i].Kind == kind {
			return &p.Rules.Vrijlating[i]
		}
	}
	return nil
}

// AOWDate returns the first day on which someone born on birth has reached the AOW
// age. ok is false when the law data does not yet fix the AOW age of that birth date;
// then earliest is a day before which the AOW age is certainly not reached (the AOW
// age never falls).
func (p *Params) AOWDate(birth time.Time) (date time.Time, ok bool) {
	rows := p.Rules.AOWAge
	for _, a := range rows {
		if !birth.After(a.BornUntil.Time) && (a.BornFrom == nil || !birth.Before(a.BornFrom.Time)) {
			return AddYearsMonths(birth, a.Years, a.Months), true
		}
	}
	last := rows[len(rows)-1]
	return AddYearsMonths(birth, last.Years, last.Months), false
}

// AddYearsMonths adds years and months to a date, clamping to the last day of the
// month (31 August + 6 months is 28 or 29 February, not 2 or 3 March).
func AddYearsMonths(t time.Time, years, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	y += years + total/12
	m = time.Month(total%12 + 1)
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, m, min(d, last), 0, 0, 0, 0, time.UTC)
}
