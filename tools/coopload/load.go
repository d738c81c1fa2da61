package main

import (
	"context"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plein-nl/plein/platform/db/pgcluster"
)

// kind is a kind of request the clients make.
type kind int

const (
	portalRead kind = iota
	payslipWrite
	staffRead
	crossTry
	kinds
)

var kindNames = [kinds]string{"portal read", "payslip write", "staff read", "cross-gemeente try"}

// outcome is what became of one request.
type outcome int

const (
	ok      outcome = iota
	fault           // a 5xx or no answer: expected while PostgreSQL is down
	wrong           // an answer the request did not expect (a 4xx, a page without its gemeente)
	crossed         // an answer that carries another gemeente's data
)

// result is one request.
type result struct {
	kind       kind
	worker     int
	start, end time.Time
	outcome    outcome
	detail     string
}

// write is one payslip handed in; employer makes it unique in the run.
type write struct {
	g                  *gemeente
	resident, employer string
	outcome            outcome
}

// load is one run of the clients against every gemeente.
type load struct {
	c       config
	gs      []*gemeente
	dataDir string
	period  time.Time // the pay date of every payslip: the first of this month
	owner   map[string]string
	names   map[string]string // a gemeente's name → its id, for names no other name contains
	seq     atomic.Int64

	mu           sync.Mutex
	results      []result
	writes       []write
	start, end   time.Time
	stopAt, upAt time.Time // PostgreSQL told to stop, and up again (zero: no restart)
	stopped      time.Time // pg_ctl stop returned
	restartErr   error
}

func newLoad(c config, gs []*gemeente, dataDir string) *load {
	now := time.Now().UTC()
	l := &load{c: c, gs: gs, dataDir: dataDir, owner: map[string]string{}, names: map[string]string{},
		period: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)}
	for _, g := range gs {
		l.owner[g.demo] = g.id
		for _, id := range g.ids {
			l.owner[id] = g.id
		}
		l.names[g.name] = g.id
	}
	for _, g := range gs {
		for _, h := range gs {
			if g != h && strings.Contains(h.name, g.name) {
				delete(l.names, g.name) // "Gemeente X" inside "Gemeente X-Y" would be a false alarm
			}
		}
	}
	for name, id := range l.names {
		l.names[html.EscapeString(name)] = id // as a page shows it: 's-Hertogenbosch is &#39;s-Hertogenbosch
	}
	return l
}

// drive runs the clients for c.duration and restarts PostgreSQL at c.restartAt.
func (l *load) drive() {
	l.start = time.Now()
	deadline := l.start.Add(l.c.duration)
	var wg sync.WaitGroup
	if l.c.mode != "none" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(l.c.restartAt)
			l.restart()
		}()
	}
	for w := 0; w < l.c.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for time.Now().Before(deadline) {
				l.one(w, rng)
			}
		}()
	}
	wg.Wait()
	l.end = time.Now()
}

// restart stops the dev cluster's PostgreSQL (pg_ctl -m fast, or -m immediate for a
// crash), leaves it down for c.down and starts it again, as plein dev started it.
func (l *load) restart() {
	cl, err := pgcluster.Open(filepath.Join(l.dataDir, "postgres"))
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		l.mu.Lock()
		l.stopAt = time.Now()
		l.mu.Unlock()
		if l.c.mode == "immediate" {
			err = cl.Kill(ctx)
		} else {
			err = cl.Stop(ctx)
		}
		if err == nil {
			l.mu.Lock()
			l.stopped = time.Now()
			l.mu.Unlock()
			time.Sleep(l.c.down)
			err = cl.Start(ctx)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.restartErr = err
		fmt.Fprintln(os.Stderr, "coopload: restart PostgreSQL:", err)
		return
	}
	l.upAt = time.Now()
}

// one makes one request of a kind drawn by share, to a gemeente drawn at random, and
// records it.
func (l *load) one(w int, rng *rand.Rand) {
	g := l.gs[rng.IntN(len(l.gs))]
	r := result{worker: w, start: time.Now()}
	switch x := rng.Float64(); {
	case x < l.c.cross:
		r.kind = crossTry
		h := l.gs[rng.IntN(len(l.gs))]
		for h == g {
			h = l.gs[rng.IntN(len(l.gs))]
		}
		r.outcome, r.detail = l.tryCross(g, h, rng)
	case x < 0.40:
		r.kind = portalRead
		r.outcome, r.detail = l.portalRead(g, rng)
	case x < 0.65:
		r.kind = payslipWrite
		r.outcome, r.detail = l.payslip(g, rng)
	default:
		r.kind = staffRead
		r.outcome, r.detail = l.staffRead(g, rng)
	}
	r.end = time.Now()
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
}

// uuidRE finds the ids in an answer.
var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// foreign returns what in body belongs to another gemeente than g: a resident's id,
// a gemeente's name, or a link into another gemeente's portal; "" when nothing does.
func (l *load) foreign(g *gemeente, body []byte) string {
	for _, id := range uuidRE.FindAll(body, -1) {
		if t, ok := l.owner[string(id)]; ok && t != g.id {
			return fmt.Sprintf("resident %s of %s", id, t)
		}
	}
	s := string(body)
	for name, id := range l.names {
		if id != g.id && strings.Contains(s, name) {
			return "the name " + name
		}
	}
	for _, h := range l.gs {
		if h != g && strings.Contains(s, `"/t/`+h.id+`/`) {
			return "a link into /t/" + h.id + "/"
		}
	}
	return ""
}
