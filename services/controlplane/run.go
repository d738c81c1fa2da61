package controlplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
)

// Controller runs the reconciler while it holds the leader election lease: a full pass
// at the start and every Resync, one tenant at once when the registry says it changed,
// and one tenant when someone changes or deletes an object the control plane manages.
type Controller struct {
	rec      *Reconciler
	kube     kubernetes.Interface
	cfg      Config
	identity string
	changes  <-chan string
	log      *slog.Logger
	met      *Metrics
	// Lease timings; the defaults are client-go's usual 15 s, 10 s and 2 s.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// OnPass, when set, is called after every pass (tests).
	OnPass func(Result, error)
}

// NewController returns a controller. identity names this replica in the Lease (the pod
// name); changes carries the ids of tenants whose registry rows changed (nil: none).
func NewController(rec *Reconciler, kube kubernetes.Interface, identity string, changes <-chan string, log *slog.Logger, met *Metrics) *Controller {
	return &Controller{rec: rec, kube: kube, cfg: rec.cfg, identity: identity, changes: changes, log: log, met: met,
		LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second}
}

// ErrLostLease is returned by Run when this replica lost the lease before ctx ended:
// the process exits and is restarted, so that it never acts on a stale view.
var ErrLostLease = errors.New("controlplane: lost the leader election lease")

// Run campaigns for the lease and reconciles while it holds it. It returns nil when ctx
// ends (the lease is released), ErrLostLease when the lease was lost.
func (c *Controller) Run(ctx context.Context) error {
	if c.identity == "" {
		return errors.New("controlplane: an identity is required for leader election")
	}
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Name: c.cfg.LeaseName, Namespace: c.cfg.Namespace},
		Client:     c.kube.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: c.identity},
	}
	var led bool
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            lock,
		Name:            c.cfg.LeaseName,
		LeaseDuration:   c.LeaseDuration,
		RenewDeadline:   c.RenewDeadline,
		RetryPeriod:     c.RetryPeriod,
		ReleaseOnCancel: true,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(lctx context.Context) {
				led = true
				c.met.setLeader(true)
				c.log.Info("controlplane: leading", "identity", c.identity)
				c.lead(lctx)
			},
			OnStoppedLeading: func() {
				c.met.setLeader(false)
				c.log.Info("controlplane: stopped leading", "identity", c.identity)
			},
			OnNewLeader: func(id string) {
				if id != c.identity {
					c.log.Info("controlplane: another replica leads", "leader", id)
				}
			},
		},
	})
	if err != nil {
		return fmt.Errorf("controlplane: leader election: %w", err)
	}
	le.Run(ctx)
	if ctx.Err() == nil && led {
		return ErrLostLease
	}
	return nil
}

// lead reconciles until lctx ends (the lease is lost or the process stops).
func (c *Controller) lead(lctx context.Context) {
	q := newQueue()
	var wg sync.WaitGroup
	defer wg.Wait()

	// Watch the objects the control plane manages: a change or deletion by anyone
	// else is repaired at once.
	f := informers.NewSharedInformerFactoryWithOptions(c.kube, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = managedSelector }))
	h := cache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) { q.addObject(obj) },
		DeleteFunc: func(obj any) { q.addObject(obj) },
	}
	for _, inf := range []cache.SharedIndexInformer{
		f.Networking().V1().Ingresses().Informer(),
		f.Core().V1().Namespaces().Informer(),
		f.Apps().V1().Deployments().Informer(),
	} {
		if _, err := inf.AddEventHandler(h); err != nil {
			c.log.Error("controlplane: watch", "err", err)
		}
	}
	f.Start(lctx.Done())
	defer f.Shutdown()

	if c.changes != nil {
		wg.Go(func() {
			for {
				select {
				case <-lctx.Done():
					return
				case id := <-c.changes:
					if id == "" { // a reconnect: a change may have been missed
						q.addAll()
					} else {
						q.add(id)
					}
				}
			}
		})
	}
	resync := time.NewTicker(time.Duration(c.cfg.Resync))
	defer resync.Stop()
	q.addAll()
	retry := time.Duration(0)
	var retryC <-chan time.Time
	for {
		select {
		case <-lctx.Done():
			return
		case <-resync.C:
			q.addAll()
		case <-retryC:
			retryC = nil
			q.addAll()
		case <-q.ready:
		}
		all, ids := q.take()
		if !all && len(ids) == 0 {
			continue
		}
		var res Result
		var err error
		if all {
			res, err = c.rec.ReconcileAll(lctx)
		} else {
			for _, id := range ids {
				var r Result
				var e error
				r, e = c.rec.ReconcileTenant(lctx, id)
				res.Tenants += r.Tenants
				res.Deleted = append(res.Deleted, r.Deleted...)
				err = errors.Join(err, e)
			}
		}
		if lctx.Err() != nil {
			return
		}
		if c.OnPass != nil {
			c.OnPass(res, err)
		}
		if err != nil {
			// Back off (1 s, 2 s, … up to the resync) and try everything again.
			retry = min(max(2*retry, time.Second), time.Duration(c.cfg.Resync))
			c.log.Warn("controlplane: reconcile failed; retrying", "err", err, "in", retry)
			retryC = time.After(retry)
		} else {
			retry = 0
		}
	}
}

// queue collects what to reconcile: everything, or some tenants.
type queue struct {
	mu    sync.Mutex
	all   bool
	ids   map[string]bool
	ready chan struct{}
}

func newQueue() *queue { return &queue{ids: map[string]bool{}, ready: make(chan struct{}, 1)} }

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *queue) add(id string) {
	q.mu.Lock()
	q.ids[id] = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue) addAll() {
	q.mu.Lock()
	q.all = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue) addObject(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, ok := obj.(metav1.Object)
	if !ok {
		q.addAll()
		return
	}
	if id := m.GetLabels()[LabelTenant]; id != "" {
		q.add(id)
	}
}

func (q *queue) take() (bool, []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	all, ids := q.all, make([]string, 0, len(q.ids))
	for id := range q.ids {
		ids = append(ids, id)
	}
	q.all, q.ids = false, map[string]bool{}
	return all, ids
}
