package law_test

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/law"
)

// day is a date literal of the tests.
var day = clocktest.Date

func TestAt(t *testing.T) {
	t.Parallel()
	b, err := law.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day        string
		validFrom  string
		singleNorm int64
	}{
		{"2025-01-01", "2025-01-01", 134545},
		{"2025-06-30", "2025-01-01", 134545},
		{"2025-07-01", "2025-07-01", 136906},
		{"2025-12-31", "2025-07-01", 136906},
		{"2026-01-01", "2026-01-01", 140150},
		{"2031-05-01", "2026-01-01", 140150},
	} {
		p, err := b.At(day(c.day))
		if err != nil {
			t.Fatalf("At(%s): %v", c.day, err)
		}
		if got := p.ValidFrom.Format(time.DateOnly); got != c.validFrom || int64(p.Norms.Single.Cents) != c.singleNorm {
			t.Errorf("At(%s) = file %s, single norm %d; want %s, %d", c.day, got, p.Norms.Single.Cents, c.validFrom, c.singleNorm)
		}
	}
	if _, err := b.At(day("2024-12-31")); !errors.Is(err, law.ErrBeforeFirst) {
		t.Errorf("At(2024-12-31): err = %v, want ErrBeforeFirst", err)
	}
}

// TestPublishedFigures checks every figure of docs/domain.md §1–3 against the data files,
// typed in here from the document.
func TestPublishedFigures(t *testing.T) {
	t.Parallel()
	b := law.MustLoad()
	type fig struct {
		name string
		get  func(n *law.Norms) *law.Amount
		want map[string]int64 // valid_from → cents; absent means not published
	}
	figs := []fig{
		{"single", func(n *law.Norms) *law.Amount { return n.Single }, map[string]int64{"2026-01-01": 140150, "2025-07-01": 136906, "2025-01-01": 134545}},
		{"couple", func(n *law.Norms) *law.Amount { return n.Couple }, map[string]int64{"2026-01-01": 200213, "2025-07-01": 195580, "2025-01-01": 192207}},
		{"single_aow", func(n *law.Norms) *law.Amount { return n.SingleAOW }, map[string]int64{"2026-01-01": 156469, "2025-07-01": 153021, "2025-01-01": 150107}},
		{"couple_aow", func(n *law.Norms) *law.Amount { return n.CoupleAOW }, map[string]int64{"2026-01-01": 214416, "2025-07-01": 209498, "2025-01-01": 205348}},
		{"youth_single", func(n *law.Norms) *law.Amount { return n.YouthSingle }, map[string]int64{"2026-01-01": 34599, "2025-01-01": 33217}},
		{"youth_couple", func(n *law.Norms) *law.Amount { return n.YouthCouple }, map[string]int64{"2026-01-01": 69198, "2025-01-01": 66434}},
		{"youth_couple_children", func(n *law.Norms) *law.Amount { return n.YouthCoupleChildren }, map[string]int64{"2026-01-01": 109241, "2025-01-01": 104875}},
		{"youth_mixed_couple", func(n *law.Norms) *law.Amount { return n.YouthMixedCouple }, map[string]int64{"2026-01-01": 134706, "2025-01-01": 129321}},
		{"youth_mixed_couple_children", func(n *law.Norms) *law.Amount { return n.YouthMixedCoupleChildren }, map[string]int64{"2026-01-01": 174749, "2025-01-01": 167762}},
		{"youth_supplement", func(n *law.Norms) *law.Amount { return n.YouthSupplement }, map[string]int64{"2026-01-01": 74645}},
		{"institution_single", func(n *law.Norms) *law.Amount { return n.InstitutionSingle }, map[string]int64{"2026-01-01": 44376}},
		{"institution_couple", func(n *law.Norms) *law.Amount { return n.InstitutionCouple }, map[string]int64{"2026-01-01": 69027}},
		{"institution_zorg_single", func(n *law.Norms) *law.Amount { return n.InstitutionZorgSingle }, map[string]int64{"2026-01-01": 4700}},
		{"institution_zorg_couple", func(n *law.Norms) *law.Amount { return n.InstitutionZorgCouple }, map[string]int64{"2026-01-01": 10600}},
	}
	for _, p := range b.Files() {
		vf := p.ValidFrom.Format(time.DateOnly)
		for _, f := range figs {
			got := f.get(&p.Norms)
			want, published := f.want[vf]
			switch {
			case !published && got != nil:
				t.Errorf("%s %s = %d, but docs/domain.md does not publish it", vf, f.name, got.Cents)
			case published && (got == nil || int64(got.Cents) != want):
				t.Errorf("%s %s = %v, want %d", vf, f.name, got, want)
			}
		}
		r := p.Rules
		if r.Vakantietoeslag.Num*1000/r.Vakantietoeslag.Den != 48 || r.BeslagvrijeVoet.Num*100/r.BeslagvrijeVoet.Den != 95 {
			t.Errorf("%s: vakantietoeslag %v, bvv %v; want 4.8 %% and 95 %%", vf, r.Vakantietoeslag, r.BeslagvrijeVoet)
		}
		if k := r.Kostendelers; k.BasePercent != 40 || k.PerPersonPercent != 30 || k.MinAge != 27 {
			t.Errorf("%s: kostendelers %+v, want 40 %% + A × 30 %%, age 27", vf, k)
		}
		for _, v := range []struct {
			kind                   string
			num, den               int64
			max                    int64
			months, age, childUnde int
		}{{"n", 25, 100, 28500, 6, 27, 0}, {"y", 15, 100, 18019, 0, 0, 0}, {"r", 125, 1000, 17766, 30, 27, 12}} {
			got := p.VrijlatingKind(v.kind)
			if got == nil || got.Num*v.den != v.num*got.Den || int64(got.Max) != v.max || got.MaxMonths != v.months || got.MinAge != v.age || got.ChildUnder != v.childUnde {
				t.Errorf("%s: vrijlating %s = %+v, want %+v", vf, v.kind, got, v)
			}
		}
	}
}

func TestNeed(t *testing.T) {
	t.Parallel()
	p, err := law.MustLoad().At(day("2025-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Need(p.Norms.YouthSingle, "youth_single"); !errors.Is(err, law.ErrNotPublished) {
		t.Errorf("youth norm of 2025-07-01: err = %v, want ErrNotPublished", err)
	}
}

func TestAOWDate(t *testing.T) {
	t.Parallel()
	p, err := law.MustLoad().At(day("2026-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		birth, want string
		known       bool
	}{
		{"1959-03-15", "2026-03-15", true},
		{"1959-01-01", "2026-01-01", true},
		{"1961-05-31", "2028-08-31", true},  // 67 years and 3 months
		{"1961-01-31", "2028-04-30", true},  // clamped to the month's end
		{"1956-06-10", "2023-04-10", true},  // 66 years and 10 months
		{"1970-02-01", "2037-05-01", false}, // beyond the table: a lower bound
	} {
		got, known := p.AOWDate(day(c.birth))
		if got.Format(time.DateOnly) != c.want || known != c.known {
			t.Errorf("AOWDate(%s) = %s, %v; want %s, %v", c.birth, got.Format(time.DateOnly), known, c.want, c.known)
		}
	}
}

func TestAddYearsMonths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from          string
		years, months int
		want          string
	}{
		{"2000-02-29", 1, 0, "2001-02-28"},
		{"2000-08-31", 0, 6, "2001-02-28"},
		{"2000-11-30", 0, 3, "2001-02-28"},
		{"1999-12-15", 67, 3, "2067-03-15"},
		{"2000-01-31", 0, 13, "2001-02-28"},
	} {
		if got := law.AddYearsMonths(day(c.from), c.years, c.months).Format(time.DateOnly); got != c.want {
			t.Errorf("AddYearsMonths(%s, %d, %d) = %s, want %s", c.from, c.years, c.months, got, c.want)
		}
	}
}

// TestFile: a receipt's file name finds the parameters At found; an unknown one none.
func TestFile(t *testing.T) {
	t.Parallel()
	b := law.MustLoad()
	p, err := b.At(day("2025-08-01"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := b.File("data/2025-07-01.yaml"); !ok || got != p || p.File != "data/2025-07-01.yaml" {
		t.Errorf("File(data/2025-07-01.yaml) = %v, %v; want the parameters At(2025-08-01) gives, named so (%s)", got, ok, p.File)
	}
	if _, ok := b.File("data/2099-01-01.yaml"); ok {
		t.Error("File of an unknown name found parameters")
	}
}

// testBook builds a Book from the real file of 2026-01-01, with its next_indexation
// block replaced by indexation (as YAML, "" to leave it out) and, when newer is set,
// a copy of it valid from newer with its next indexation a half year later.
func testBook(t *testing.T, indexation, newer string) (*law.Book, error) {
	t.Helper()
	src, err := os.ReadFile("data/2026-01-01.yaml")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?m)^next_indexation:\n(  .*\n)+`)
	if !block.Match(src) {
		t.Fatal("data/2026-01-01.yaml has no next_indexation block")
	}
	fsys := fstest.MapFS{"d/2026-01-01.yaml": {Data: block.ReplaceAll(src, []byte(indexation))}}
	if newer != "" {
		next := day(newer).AddDate(0, 6, 0).Format(time.DateOnly)
		b := bytes.Replace(src, []byte("valid_from: 2026-01-01"), []byte("valid_from: "+newer), 1)
		b = block.ReplaceAll(b, []byte("next_indexation: {due: "+next+", article: \"Pw art. 38\", source: \"test\"}\n"))
		fsys["d/"+newer+".yaml"] = &fstest.MapFile{Data: b}
	}
	return law.LoadFS(fsys, "d")
}

// TestLoadNeedsNextIndexation: a file without a due date, or with one not after its
// valid_from, is refused naming the file and the field.
func TestLoadNeedsNextIndexation(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, block, want string
	}{
		{"missing", "", "law: d/2026-01-01.yaml: next_indexation.due is required"},
		{"no due", "next_indexation: {article: \"Pw art. 38\", source: \"s\"}\n", "law: d/2026-01-01.yaml: next_indexation.due is required"},
		{"on valid_from", "next_indexation: {due: 2026-01-01, article: \"Pw art. 38\", source: \"s\"}\n",
			"law: d/2026-01-01.yaml: next_indexation.due 2026-01-01 must be after valid_from 2026-01-01"},
		{"before valid_from", "next_indexation: {due: 2025-07-01, article: \"Pw art. 38\", source: \"s\"}\n",
			"law: d/2026-01-01.yaml: next_indexation.due 2025-07-01 must be after valid_from 2026-01-01"},
		{"not a date", "next_indexation: {due: 2026-07-32, article: \"Pw art. 38\", source: \"s\"}\n", `"2026-07-32" is not a date`},
		{"no source", "next_indexation: {due: 2026-07-01, article: \"Pw art. 38\"}\n", "law: d/2026-01-01.yaml: next_indexation needs an article and a source"},
	} {
		_, err := testBook(t, c.block, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Load = %v, want an error containing %q", c.name, err, c.want)
		}
	}
	if _, err := testBook(t, "next_indexation: {due: 2026-07-01, article: \"Pw art. 38\", source: \"s\"}\n", ""); err != nil {
		t.Errorf("a good due date: %v", err)
	}
}

// TestStaleness: the data of a period is stale from the due date of the file in force
// on, unless a newer file is in force by then.
func TestStaleness(t *testing.T) {
	t.Parallel()
	const due = "next_indexation: {due: 2026-07-01, article: \"Pw art. 38\", source: \"s\"}\n"
	alone, err := testBook(t, due, "")
	if err != nil {
		t.Fatal(err)
	}
	withJuly, err := testBook(t, due, "2026-07-01")
	if err != nil {
		t.Fatal(err)
	}
	withAugust, err := testBook(t, due, "2026-08-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		book      *law.Book
		day       string
		stale     bool
		due, file string
	}{
		{"before the first file", alone, "2025-12-01", false, "0001-01-01", ""},
		{"the file's first month", alone, "2026-01-01", false, "2026-07-01", "d/2026-01-01.yaml"},
		{"the day before due", alone, "2026-06-30", false, "2026-07-01", "d/2026-01-01.yaml"},
		{"at the due date", alone, "2026-07-01", true, "2026-07-01", "d/2026-01-01.yaml"},
		{"after it", alone, "2026-12-01", true, "2026-07-01", "d/2026-01-01.yaml"},
		{"a newer file at the due date", withJuly, "2026-07-01", false, "2027-01-01", "d/2026-07-01.yaml"},
		{"the newer file's own due date", withJuly, "2027-01-01", true, "2027-01-01", "d/2026-07-01.yaml"},
		{"a newer file a month late: the gap", withAugust, "2026-07-01", true, "2026-07-01", "d/2026-01-01.yaml"},
		{"a newer file a month late: after it", withAugust, "2026-08-01", false, "2027-02-01", "d/2026-08-01.yaml"},
	} {
		stale, gotDue, file := c.book.Staleness(day(c.day))
		if stale != c.stale || gotDue.Format(time.DateOnly) != c.due || file != c.file {
			t.Errorf("%s: Staleness(%s) = %v, %s, %q; want %v, %s, %q", c.name, c.day,
				stale, gotDue.Format(time.DateOnly), file, c.stale, c.due, c.file)
		}
	}
}

// TestEmbeddedIndexation: each embedded file is due for indexation half a year after
// its valid_from (1 January and 1 July), and the next file, when there is one, starts
// then: only the last file can go stale.
func TestEmbeddedIndexation(t *testing.T) {
	t.Parallel()
	files := law.MustLoad().Files()
	for i, p := range files {
		want := p.ValidFrom.AddDate(0, 6, 0)
		if !p.NextIndexation.Due.Equal(want) {
			t.Errorf("%s: next indexation %s, want %s", p.File, p.NextIndexation.Due.Format(time.DateOnly), want.Format(time.DateOnly))
		}
		if i+1 < len(files) && !files[i+1].ValidFrom.Equal(want) {
			t.Errorf("%s: the next file starts %s, want %s", p.File, files[i+1].ValidFrom.Format(time.DateOnly), want.Format(time.DateOnly))
		}
	}
}
