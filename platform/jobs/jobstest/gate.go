// Package jobstest holds test kits for River jobs: a gate that holds a kind's jobs
// until the test lets them through, to see what the rest of the system does while
// they are pending.
package jobstest

import (
	"context"
	"sync"

	"github.com/riverqueue/river"
)

// Gate is a worker that holds each of its jobs (running, in River's eyes) until Open,
// then works it with the worker it wraps.
type Gate[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	inner river.Worker[T]
	open  chan struct{}
	once  sync.Once
}

// NewGate returns a closed gate in front of inner.
func NewGate[T river.JobArgs](inner river.Worker[T]) *Gate[T] {
	return &Gate[T]{inner: inner, open: make(chan struct{})}
}

// Open lets the jobs held and every later one through; opening again does nothing.
func (g *Gate[T]) Open() { g.once.Do(func() { close(g.open) }) }

// Work implements river.Worker.
func (g *Gate[T]) Work(ctx context.Context, job *river.Job[T]) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.inner.Work(ctx, job)
}
