package synth

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/services/creditors"
)

// testBench is a Bench of October 2026 without a database: the catalogue's water
// companies stand in for the tenant's woningcorporaties.
func testBench(t testing.TB, seed uint64) *Bench {
	t.Helper()
	cs, err := catalogue(context.Background(), creditors.NewService(nil, nil, nil), "fixturestad")
	if err != nil {
		t.Fatal(err)
	}
	cs.corporations = cs.utilities[4:]
	period := bijstand.Period{Year: 2026, Month: time.October}
	book, err := law.Load()
	if err != nil {
		t.Fatal(err)
	}
	params, err := book.At(period.First())
	if err != nil {
		t.Fatal(err)
	}
	return &Bench{c: BenchConfig{Tenant: "fixturestad", Period: period, Seed: seed}, key: 1, params: params, cr: cs,
		asOf: BenchAsOf(period, time.Date(2026, time.October, 15, 0, 0, 0, 0, time.UTC))}
}

// TestBenchChunks: chunks are the same when drawn again, and share no BSN; every
// resident has the three plans; the mix is exact per chunk.
func TestBenchChunks(t *testing.T) {
	t.Parallel()
	b := testBench(t, 3)
	const chunks, m = 3, 200
	bsns := map[string]bool{}
	for k := range chunks {
		people, err := b.Chunk(k, chunks, m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := b.Chunk(k, chunks, m)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(people, again) {
			t.Errorf("chunk %d drawn twice differs", k)
		}
		kinds, workers := map[Kind]int{}, 0
		for i, p := range people {
			kinds[p.Kind]++
			workers += len(p.Payslips)
			for _, x := range []*Partner{{BSN: p.BSN}, p.Partner} {
				if x == nil {
					continue
				}
				if bsns[x.BSN] {
					t.Errorf("chunk %d, resident %d: BSN drawn twice", k, i)
				}
				bsns[x.BSN] = true
			}
			if len(p.Plans) != 3 || p.Plans[0].Label != Huur || p.Plans[1].Label != Zorgpremie || p.Plans[2].Label != Aflossing {
				t.Errorf("chunk %d, resident %d: plans %+v, want huur, zorgpremie, aflossing", k, i, p.Plans)
			}
		}
		want := map[Kind]int{Single: 110, SingleParent: 40, Couple: 30, Kostendeler: 20}
		if !reflect.DeepEqual(kinds, want) || workers != 80 {
			t.Errorf("chunk %d: households %v and %d workers, want %v and 80", k, kinds, workers, want)
		}
	}
}

// BenchmarkBenchDraw measures drawing one resident of Bench: the Go side of a load
// beside sealing and encoding (tools/settlebench's BenchmarkFixtureEncode).
func BenchmarkBenchDraw(b *testing.B) {
	bench := testBench(b, 1)
	d := bench.draw(0, 1)
	kinds := []Kind{Single, SingleParent, Couple, Kostendeler}
	i := 0
	for b.Loop() {
		var p Person
		if err := d.benchResident(&p, kinds[i%len(kinds)], i%5 < 2, bench.c.Period, bench.params); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
