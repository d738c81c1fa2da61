package controlplane

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/services/controlplane/kubetest"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenancytest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestAgainstAPIServer runs the control plane against a real kube-apiserver and etcd
// (envtest). There is no controller-manager: Deployments never become available and a
// deleted namespace stays Terminating, as in a cluster whose controllers are slow.
func TestAgainstAPIServer(t *testing.T) {
	kube := kubernetes.NewForConfigOrDie(kubetest.Start(t).Config)
	n := 0
	// Each subtest gets a platform namespace of its own with the env Secret.
	platform := func(t *testing.T) Config {
		n++
		cfg := testConfig()
		cfg.Namespace = fmt.Sprintf("plein-system-%d", n)
		cfg.SiloNamespacePrefix = fmt.Sprintf("t%d-", n)
		ctx := t.Context()
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cfg.Namespace}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		sec := platformSecret()
		sec.Namespace = cfg.Namespace
		if _, err := kube.CoreV1().Secrets(cfg.Namespace).Create(ctx, sec, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		return cfg
	}

	t.Run("Reconcile", func(t *testing.T) { testReconcileAPIServer(t, kube, platform(t)) })
	t.Run("LeaderElection", func(t *testing.T) { testLeaderElection(t, kube, platform(t)) })
	t.Run("Registry", func(t *testing.T) { testRegistryToIngress(t, kube, platform(t)) })
}

func testReconcileAPIServer(t *testing.T, kube kubernetes.Interface, cfg Config) {
	ctx := t.Context()
	src, sink := &memSource{tenants: []Tenant{zwolle, enschede}}, newMemSink()
	r := NewReconciler(kube, src, sink, cfg, quiet(), nil)
	if _, err := r.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}
	ing, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-zwolle", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	siloNS := cfg.SiloNamespace("enschede")
	d, err := kube.AppsV1().Deployments(siloNS).Get(ctx, SiloWorkerName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The API server validated and defaulted what was applied.
	if d.Spec.Strategy.Type != "RollingUpdate" || d.Spec.Template.Spec.Containers[0].TerminationMessagePath == "" {
		t.Errorf("deployment not defaulted by the API server: %+v", d.Spec.Strategy)
	}
	for _, kind := range []string{"quota", "policy", "secret"} {
		var err error
		switch kind {
		case "quota":
			_, err = kube.CoreV1().ResourceQuotas(siloNS).Get(ctx, SiloQuotaName, metav1.GetOptions{})
		case "policy":
			_, err = kube.NetworkingV1().NetworkPolicies(siloNS).Get(ctx, SiloPolicyName, metav1.GetOptions{})
		case "secret":
			_, err = kube.CoreV1().Secrets(siloNS).Get(ctx, SiloEnvSecret, metav1.GetOptions{})
		}
		if err != nil {
			t.Errorf("silo %s: %v", kind, err)
		}
	}

	// A second pass with nothing changed writes nothing: server-side apply of the same
	// intent leaves the resource versions as they were.
	if _, err := r.ReconcileAll(ctx); err != nil {
		t.Fatal(err)
	}
	ing2, _ := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-zwolle", metav1.GetOptions{})
	d2, _ := kube.AppsV1().Deployments(siloNS).Get(ctx, SiloWorkerName, metav1.GetOptions{})
	if ing2.ResourceVersion != ing.ResourceVersion || d2.ResourceVersion != d.ResourceVersion {
		t.Errorf("an unchanged pass wrote: ingress %s→%s, deployment %s→%s", ing.ResourceVersion, ing2.ResourceVersion, d.ResourceVersion, d2.ResourceVersion)
	}

	// Someone edits the managed Ingress by hand: the next pass puts the hosts and
	// the HSTS annotation back.
	ing2.Spec.Rules = ing2.Spec.Rules[:1]
	delete(ing2.Annotations, "nginx.org/hsts")
	if _, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Update(ctx, ing2, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ReconcileTenant(ctx, "zwolle"); err != nil {
		t.Fatal(err)
	}
	ing3, _ := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-zwolle", metav1.GetOptions{})
	if len(ing3.Spec.Rules) != 2 {
		t.Errorf("rules after repair = %d, want 2", len(ing3.Spec.Rules))
	}
	if got := ing3.Annotations["nginx.org/hsts"]; got != "true" {
		t.Errorf("nginx.org/hsts after repair = %q, want true", got)
	}

	// Both tenants go (offboarded): the Ingresses are deleted, the silo namespace is
	// being deleted (with everything in it).
	src.set()
	res, err := r.ReconcileAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(res.Deleted)
	want := []string{"Ingress " + cfg.Namespace + "/tenant-enschede", "Ingress " + cfg.Namespace + "/tenant-zwolle", "Namespace " + siloNS}
	if !slices.Equal(res.Deleted, want) {
		t.Errorf("deleted = %v, want %v", res.Deleted, want)
	}
	if _, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-zwolle", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ingress after offboarding: %v", err)
	}
	ns, err := kube.CoreV1().Namespaces().Get(ctx, siloNS, metav1.GetOptions{})
	if err == nil && ns.DeletionTimestamp == nil {
		t.Errorf("silo namespace not being deleted: %+v", ns.Status)
	}
	// Another pass does not try to delete it again.
	if res, err := r.ReconcileAll(ctx); err != nil || len(res.Deleted) != 0 {
		t.Errorf("second pass after offboarding: deleted %v, err %v", res.Deleted, err)
	}
}

// testLeaderElection runs two replicas: only the one holding the Lease acts, and when
// it stops, the other takes over.
func testLeaderElection(t *testing.T, kube kubernetes.Interface, cfg Config) {
	cfg.Resync = Duration(200 * time.Millisecond) // many passes, to catch a second actor
	var mu sync.Mutex
	passes := map[string]int{}
	var order []string
	start := func(ctx context.Context, id string) chan error {
		r := NewReconciler(kube, &memSource{tenants: []Tenant{zwolle}}, newMemSink(), cfg, quiet(), nil)
		c := NewController(r, kube, id, nil, quiet(), nil)
		c.LeaseDuration, c.RenewDeadline, c.RetryPeriod = 3*time.Second, 2*time.Second, 200*time.Millisecond
		c.OnPass = func(Result, error) {
			mu.Lock()
			passes[id]++
			if len(order) == 0 || order[len(order)-1] != id {
				order = append(order, id)
			}
			mu.Unlock()
		}
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		return done
	}
	ctxA, stopA := context.WithCancel(t.Context())
	defer stopA()
	ctxB, stopB := context.WithCancel(t.Context())
	defer stopB()
	doneA := start(ctxA, "replica-a")
	waitFor(t, 20*time.Second, "replica-a leads", func() bool { mu.Lock(); defer mu.Unlock(); return passes["replica-a"] > 0 })
	doneB := start(ctxB, "replica-b")
	time.Sleep(2 * time.Second) // B campaigns all along; A renews
	mu.Lock()
	if passes["replica-b"] != 0 || passes["replica-a"] < 3 {
		t.Errorf("both acted, or A stopped: passes %v", passes)
	}
	mu.Unlock()
	lease, err := kube.CoordinationV1().Leases(cfg.Namespace).Get(t.Context(), cfg.LeaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != "replica-a" {
		t.Fatalf("lease = %+v, err %v", lease, err)
	}

	// A stops (a rolling update): it releases the Lease, and B takes over at once
	// rather than after the lease duration.
	stopA()
	if err := <-doneA; err != nil {
		t.Errorf("replica-a: %v", err)
	}
	mu.Lock()
	aFinal := passes["replica-a"]
	mu.Unlock()
	waitFor(t, 20*time.Second, "replica-b takes over", func() bool { mu.Lock(); defer mu.Unlock(); return passes["replica-b"] > 0 })
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if passes["replica-a"] != aFinal {
		t.Errorf("replica-a acted after it stopped: %d → %d", aFinal, passes["replica-a"])
	}
	if !slices.Equal(order, []string{"replica-a", "replica-b"}) {
		t.Errorf("the replicas acted in turns %v, want a then b, never interleaved", order)
	}
	stopB()
	if err := <-doneB; err != nil {
		t.Errorf("replica-b: %v", err)
	}
}

// testRegistryToIngress runs the whole path: `tenant apply` writes a version to the
// registry, PostgreSQL notifies, the controller reconciles that tenant, the Ingress is
// in the API server and the conditions are back on the tenant. It reports the time.
func testRegistryToIngress(t *testing.T, kube kubernetes.Interface, cfg Config) {
	ctx := t.Context()
	d := dbtest.New(t)
	store := tenancy.NewStore(d.Control, nil)
	dir, err := tenancy.NewDirectory(ctx, d.App)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Resync = Duration(time.Hour) // only the notification can make it fast
	changes := make(chan string, 16)
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	go tenancy.Listen(lctx, d.App, changes, quiet())
	conds := NewConditions(d.Control)
	r := NewReconciler(kube, DirectorySource{Dir: dir}, conds, cfg, quiet(), nil)
	c := NewController(r, kube, "replica-1", changes, quiet(), nil)
	passed := make(chan struct{}, 64)
	c.OnPass = func(_ Result, err error) {
		if err != nil {
			t.Errorf("pass: %v", err)
		}
		passed <- struct{}{}
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(lctx) }()
	select { // the first full pass, with no tenants yet
	case <-passed:
	case <-time.After(20 * time.Second):
		t.Fatal("no first pass")
	}
	// Apply only once the listener listens: a notification sent before is never heard.
	dbtest.AwaitListening(t, d.App, tenancy.NotifyChannel)

	src := filepath.Join(t.TempDir(), "apeldoorn.yaml")
	writeTenant(t, src, "apeldoorn", "mijn.apeldoorn.example", "")
	loaded, err := tenancy.LoadPath(src)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if _, err := store.Apply(ctx, loaded, "test", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the Ingress of a newly applied tenant", func() bool {
		_, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-apeldoorn", metav1.GetOptions{})
		return err == nil
	})
	t.Logf("tenant apply → Ingress in the API server: %s", time.Since(t0).Round(time.Millisecond))
	waitFor(t, 10*time.Second, "the conditions on the tenant", func() bool {
		cs, err := conds.Get(ctx, "apeldoorn")
		return err == nil && len(cs) == 3 && cs[1].Type == CondReady && cs[1].Status == "True" && cs[1].ObservedVersion == 1
	})

	// The gemeente grows into a silo: a new version, and its namespace appears.
	writeTenant(t, src, "apeldoorn", "mijn.apeldoorn.example", "hosting:\n  tier: silo\n  workers: 2\n")
	if loaded, err = tenancy.LoadPath(src); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Apply(ctx, loaded, "test", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the silo's workers", func() bool {
		_, err := kube.AppsV1().Deployments(cfg.SiloNamespace("apeldoorn")).Get(ctx, SiloWorkerName, metav1.GetOptions{})
		return err == nil
	})
	waitFor(t, 10*time.Second, "the silo condition", func() bool {
		cs, err := conds.Get(ctx, "apeldoorn")
		return err == nil && len(cs) == 3 && cs[2].Type == CondSilo && cs[2].Reason == "WorkersNotAvailable" && cs[2].ObservedVersion == 2
	})

	// Someone deletes the Ingress: the watch brings it back without waiting for a resync.
	if err := kube.NetworkingV1().Ingresses(cfg.Namespace).Delete(ctx, "tenant-apeldoorn", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the deleted Ingress back", func() bool {
		_, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, "tenant-apeldoorn", metav1.GetOptions{})
		return err == nil
	})
	stop()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// writeTenant writes the example gemeente id at path (dir/id.yaml) with its logo.
func writeTenant(t *testing.T, path, id, host, extra string) {
	t.Helper()
	got, err := tenancytest.WriteExample(filepath.Dir(path), id, "Gemeente Test", host, extra)
	if err != nil || got != path {
		t.Fatalf("write %s: %s, %v", path, got, err)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
