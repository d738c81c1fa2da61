package controlplane

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Source lists the tenants as the registry has them now: every tenant that is not
// offboarded, with its config in force.
type Source interface {
	Tenants(ctx context.Context) ([]Tenant, error)
}

// Condition is one finding of the control plane about a tenant, Kubernetes style.
type Condition struct {
	Type    string // Ingress, Silo or Ready
	Status  string // True, False or Unknown
	Reason  string // CamelCase
	Message string
}

// The condition types.
const (
	CondIngress = "Ingress"
	CondSilo    = "Silo"
	CondReady   = "Ready"
)

// StatusSink stores the conditions of a tenant, observed at a config version.
type StatusSink interface {
	SetConditions(ctx context.Context, tenantID string, version int, conds []Condition) error
}

// Reconciler makes the cluster match the registry.
type Reconciler struct {
	kube   kubernetes.Interface
	src    Source
	sink   StatusSink
	cfg    Config
	log    *slog.Logger
	met    *Metrics
	mu     sync.Mutex // one pass at a time
	secret map[string][]byte
}

// NewReconciler returns a reconciler; met may be nil.
func NewReconciler(kube kubernetes.Interface, src Source, sink StatusSink, cfg Config, log *slog.Logger, met *Metrics) *Reconciler {
	return &Reconciler{kube: kube, src: src, sink: sink, cfg: cfg.withDefaults(), log: log, met: met}
}

// Result is what one pass did.
type Result struct {
	Tenants int
	Deleted []string // "Ingress plein/tenant-x", "Namespace plein-y"
	Failed  map[string]error
}

// ReconcileAll brings every tenant to its desired state and removes what no tenant
// needs any more. A tenant that fails does not stop the others; the error joins them.
func (r *Reconciler) ReconcileAll(ctx context.Context) (Result, error) {
	return r.reconcile(ctx, nil)
}

// ReconcileTenant reconciles one tenant (after a change to it): its objects, or their
// removal when the tenant is gone or offboarded.
func (r *Reconciler) ReconcileTenant(ctx context.Context, id string) (Result, error) {
	return r.reconcile(ctx, &id)
}

func (r *Reconciler) reconcile(ctx context.Context, only *string) (res Result, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	defer func() { r.met.observePass(start, err) }()

	all, err := r.src.Tenants(ctx)
	if err != nil {
		return res, fmt.Errorf("controlplane: tenants: %w", err)
	}
	want := map[string]Tenant{}
	for _, t := range all {
		want[t.ID] = t
	}
	r.met.setTenants(all)
	if r.secret, err = r.envSecretData(ctx, all); err != nil {
		return res, err
	}
	res.Failed = map[string]error{}
	ids := slices.Sorted(maps.Keys(want))
	if only != nil {
		ids = nil
		if _, ok := want[*only]; ok {
			ids = []string{*only}
		}
	}
	for _, id := range ids {
		if err := r.tenant(ctx, want[id]); err != nil {
			res.Failed[id] = err
		}
		res.Tenants++
	}
	deleted, gcErr := r.collect(ctx, want, only)
	res.Deleted = deleted
	errs := []error{gcErr}
	for _, id := range slices.Sorted(maps.Keys(res.Failed)) {
		errs = append(errs, fmt.Errorf("tenant %s: %w", id, res.Failed[id]))
	}
	return res, errors.Join(errs...)
}

// envSecretData reads the platform's env Secret once per pass, when a silo needs it.
func (r *Reconciler) envSecretData(ctx context.Context, all []Tenant) (map[string][]byte, error) {
	if r.cfg.EnvSecret == "" || !slices.ContainsFunc(all, func(t Tenant) bool { return t.Silo != nil }) {
		return nil, nil
	}
	s, err := r.kube.CoreV1().Secrets(r.cfg.Namespace).Get(ctx, r.cfg.EnvSecret, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("controlplane: the env Secret %s/%s that silos copy: %w", r.cfg.Namespace, r.cfg.EnvSecret, err)
	}
	data := map[string][]byte{}
	for _, k := range r.cfg.EnvSecretKeys {
		v, ok := s.Data[k]
		if !ok {
			return nil, fmt.Errorf("controlplane: the env Secret %s/%s has no key %s", r.cfg.Namespace, r.cfg.EnvSecret, k)
		}
		data[k] = v
	}
	return data, nil
}

var apply = metav1.ApplyOptions{FieldManager: FieldManager, Force: true}

// tenant applies the tenant's objects with server-side apply (an unchanged object is
// not written) and records its conditions.
func (r *Reconciler) tenant(ctx context.Context, t Tenant) error {
	var conds []Condition
	var errs []error
	if err := r.cfg.checkNames(t); err != nil {
		conds = append(conds, Condition{CondIngress, "False", "InvalidName", err.Error()})
		errs = append(errs, err)
	} else if len(t.Hosts) == 0 {
		conds = append(conds, Condition{CondIngress, "False", "NoHosts", "the config has no portal hosts"})
	} else if _, err := r.kube.NetworkingV1().Ingresses(r.cfg.Namespace).Apply(ctx, r.cfg.ingress(t), apply); err != nil {
		conds = append(conds, Condition{CondIngress, "False", "ApplyFailed", err.Error()})
		errs = append(errs, fmt.Errorf("ingress: %w", err))
	} else {
		msg := "portal hosts " + strings.Join(t.Hosts, ", ")
		if r.cfg.ClusterIssuer != "" {
			msg += "; certificate from cert-manager ClusterIssuer " + r.cfg.ClusterIssuer + " into Secret " + TLSSecretName(t.ID)
		}
		conds = append(conds, Condition{CondIngress, "True", "Applied", msg})
	}

	switch {
	case t.Silo == nil:
		conds = append(conds, Condition{CondSilo, "True", "SharedTier", "runs on the shared workers"})
	case len(errs) > 0:
		conds = append(conds, Condition{CondSilo, "Unknown", "NotAttempted", "the tenant's names are invalid"})
	default:
		c, err := r.silo(ctx, t)
		conds = append(conds, c)
		if err != nil {
			errs = append(errs, err)
		}
	}

	ready := Condition{CondReady, "True", "Reconciled", fmt.Sprintf("config version %d, status %s", t.Version, t.Status)}
	for _, c := range conds {
		if c.Status != "True" {
			ready = Condition{CondReady, "False", c.Type + c.Reason, c.Type + ": " + c.Message}
			break
		}
	}
	conds = append(conds, ready)
	for i := range conds {
		conds[i].Message = clip(conds[i].Message, 1000)
	}
	if err := r.sink.SetConditions(ctx, t.ID, t.Version, conds); err != nil {
		errs = append(errs, fmt.Errorf("conditions: %w", err))
	}
	r.met.setReady(t.ID, ready.Status == "True")
	return errors.Join(errs...)
}

// silo applies the silo's namespace, quota, policy, env Secret and workers, and tells
// whether the workers are available.
func (r *Reconciler) silo(ctx context.Context, t Tenant) (Condition, error) {
	ns := r.cfg.SiloNamespace(t.ID)
	fail := func(what string, err error) (Condition, error) {
		return Condition{CondSilo, "False", "ApplyFailed", what + ": " + err.Error()}, fmt.Errorf("silo %s: %w", what, err)
	}
	core, netw, apps := r.kube.CoreV1(), r.kube.NetworkingV1(), r.kube.AppsV1()
	if _, err := core.Namespaces().Apply(ctx, r.cfg.namespace(t), apply); err != nil {
		return fail("namespace "+ns, err)
	}
	if _, err := core.ResourceQuotas(ns).Apply(ctx, r.cfg.quota(t), apply); err != nil {
		return fail("resource quota", err)
	}
	if _, err := netw.NetworkPolicies(ns).Apply(ctx, r.cfg.networkPolicy(t), apply); err != nil {
		return fail("network policy", err)
	}
	if r.secret != nil {
		if _, err := core.Secrets(ns).Apply(ctx, r.cfg.envSecret(t, r.secret), apply); err != nil {
			return fail("env secret", err)
		}
	}
	d, err := apps.Deployments(ns).Apply(ctx, r.cfg.deployment(t), apply)
	if err != nil {
		return fail("worker deployment", err)
	}
	if ok, msg := available(d, t.Silo.Workers); !ok {
		return Condition{CondSilo, "False", "WorkersNotAvailable", msg}, nil
	}
	return Condition{CondSilo, "True", "WorkersAvailable", fmt.Sprintf("%d workers in namespace %s", t.Silo.Workers, ns)}, nil
}

func available(d *appsv1.Deployment, want int32) (bool, string) {
	if d.Status.ObservedGeneration < d.Generation {
		return false, "the worker Deployment's new spec is not yet rolled out"
	}
	if d.Status.AvailableReplicas < want {
		return false, fmt.Sprintf("%d of %d workers available", d.Status.AvailableReplicas, want)
	}
	return true, ""
}

// collect removes the managed objects no tenant wants: the Ingress of a tenant that is
// gone or offboarded, and the namespace of a silo that is gone or became shared (which
// takes the silo's workers, quota, policy and Secret with it). Only objects with the
// control plane's label are considered; with only set, only that tenant's.
func (r *Reconciler) collect(ctx context.Context, want map[string]Tenant, only *string) ([]string, error) {
	sel := managedSelector
	if only != nil {
		sel += "," + LabelTenant + "=" + *only
	}
	var deleted []string
	var errs []error
	ings, err := r.kube.NetworkingV1().Ingresses(r.cfg.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return nil, fmt.Errorf("controlplane: list ingresses: %w", err)
	}
	for _, ing := range ings.Items {
		t, ok := want[ing.Labels[LabelTenant]]
		if ok && len(t.Hosts) > 0 && ing.Name == IngressName(t.ID) {
			continue
		}
		if err := r.kube.NetworkingV1().Ingresses(r.cfg.Namespace).Delete(ctx, ing.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete ingress %s: %w", ing.Name, err))
			continue
		}
		deleted = append(deleted, "Ingress "+r.cfg.Namespace+"/"+ing.Name)
	}
	nss, err := r.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return deleted, fmt.Errorf("controlplane: list namespaces: %w", err)
	}
	for _, ns := range nss.Items {
		t, ok := want[ns.Labels[LabelTenant]]
		if ok && t.Silo != nil && ns.Name == r.cfg.SiloNamespace(t.ID) {
			continue
		}
		if ns.Status.Phase == "Terminating" || ns.DeletionTimestamp != nil {
			continue
		}
		if err := r.kube.CoreV1().Namespaces().Delete(ctx, ns.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete namespace %s: %w", ns.Name, err))
			continue
		}
		deleted = append(deleted, "Namespace "+ns.Name)
	}
	for _, d := range deleted {
		r.log.Info("controlplane: removed what no tenant needs", "object", d)
	}
	r.met.countDeleted(len(deleted))
	return deleted, errors.Join(errs...)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
