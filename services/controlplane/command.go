package controlplane

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/plein-nl/plein/services/tenancy"
)

// What `plein controlplane` does once its flags are parsed and its databases open.

// ErrNoConfig is returned by LoadConfig when neither a file nor the environment gives a
// configuration.
var ErrNoConfig = errors.New("controlplane: no configuration")

// LoadConfig reads the configuration from file, or, when file is "", from env (the
// value of the environment variable the chart renders it into).
func LoadConfig(file, env string) (Config, error) {
	raw := []byte(env)
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return Config{}, fmt.Errorf("controlplane: %w", err)
		}
		raw = b
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return Config{}, ErrNoConfig
	}
	return ParseConfig(raw)
}

// KubeClient connects to the cluster of a kubeconfig file, or, when path is "", to the
// cluster the pod runs in.
func KubeClient(path string) (kubernetes.Interface, error) {
	var rc *rest.Config
	var err error
	if path != "" {
		if rc, err = clientcmd.BuildConfigFromFlags("", path); err != nil {
			return nil, fmt.Errorf("controlplane: kubeconfig %s: %w", path, err)
		}
	} else {
		if rc, err = rest.InClusterConfig(); err != nil {
			return nil, fmt.Errorf("controlplane: not in a cluster and no --kubeconfig: %w", err)
		}
		rc.Timeout = 30 * time.Second
	}
	// A pass applies a few objects per tenant: 30+ gemeenten need more than client-go's
	// default of 5 requests per second.
	rc.QPS, rc.Burst = 50, 100
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	return kube, nil
}

// Once reconciles every tenant once and writes what it did to w: an operator's check,
// without leader election, so never next to a running control plane.
func Once(ctx context.Context, rec *Reconciler, w io.Writer) error {
	res, err := rec.ReconcileAll(ctx)
	fmt.Fprintf(w, "controlplane: %d tenants reconciled, %d failed, removed %d objects\n", res.Tenants, len(res.Failed), len(res.Deleted))
	for _, d := range res.Deleted {
		fmt.Fprintln(w, "  removed", d)
	}
	return err
}

// Lead campaigns for the lease as identity and reconciles while it holds it, woken by
// the registry's changes (tenancy.Listen on app), until ctx ends; then it returns nil.
// A controller that stops before is an error, so that the process exits and is
// restarted rather than idles.
func Lead(ctx context.Context, rec *Reconciler, kube kubernetes.Interface, identity string, app *pgxpool.Pool, log *slog.Logger, met *Metrics) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	changes := make(chan string, 64)
	wg.Go(func() { tenancy.Listen(ctx, app, changes, log) })
	log.Info("controlplane: campaigning for the lease", "identity", identity, "namespace", rec.cfg.Namespace, "lease", rec.cfg.LeaseName)
	err := NewController(rec, kube, identity, changes, log, met).Run(ctx)
	if err == nil && ctx.Err() == nil {
		err = errors.New("controlplane: stopped")
	}
	return err
}
