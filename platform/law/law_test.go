package law_test

import (
	"errors"
	"testing"
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
