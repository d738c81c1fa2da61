package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/tenancy"
)

// envControlplane holds the control plane's configuration as JSON (the chart renders it).
const envControlplane = "PLEIN_CONTROLPLANE"

// cmdControlplane runs `plein controlplane`: the Kubernetes reconciler of the tenants.
func cmdControlplane(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("controlplane", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file; empty means the pod's in-cluster service account")
	cfgFile := fs.String("config", "", "configuration file (JSON); empty means the environment variable "+envControlplane)
	identity := fs.String("identity", cmp.Or(os.Getenv("POD_NAME"), hostname()), "this replica's name in the leader election Lease")
	once := fs.Bool("once", false, "reconcile every tenant once and exit (no leader election: for an operator's check, never next to a running control plane)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr)
	raw := []byte(os.Getenv(envControlplane))
	if *cfgFile != "" {
		b, err := os.ReadFile(*cfgFile)
		if err != nil {
			return fmt.Errorf("controlplane: %w", err)
		}
		raw = b
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		return usageError{"plein controlplane: no configuration: set " + envControlplane + " (JSON) or --config FILE"}
	}
	cfg, err := controlplane.ParseConfig(raw)
	if err != nil {
		return err
	}
	rc, err := kubeConfig(*kubeconfig)
	if err != nil {
		return err
	}
	// A pass applies a few objects per tenant: 30+ gemeenten need more than client-go's
	// default of 5 requests per second.
	rc.QPS, rc.Burst = 50, 100
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("controlplane: %w", err)
	}

	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	control, err := dbs.Control(ctx)
	if err != nil {
		return err
	}
	dir, err := tenancy.NewDirectory(ctx, appPool)
	if err != nil {
		return err
	}
	adm := newAdmin(log, appPool)
	met, err := controlplane.NewMetrics(adm.reg)
	if err != nil {
		return err
	}
	rec := controlplane.NewReconciler(kube, controlplane.DirectorySource{Dir: dir}, controlplane.NewConditions(control), cfg, log, met)
	if *once {
		res, err := rec.ReconcileAll(ctx)
		fmt.Fprintf(stdout, "controlplane: %d tenants reconciled, %d failed, removed %d objects\n", res.Tenants, len(res.Failed), len(res.Deleted))
		for _, d := range res.Deleted {
			fmt.Fprintln(stdout, "  removed", d)
		}
		return err
	}
	changes := make(chan string, 64)
	ctrl := controlplane.NewController(rec, kube, *identity, changes, log, met)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveUntil(gctx, envOr(envAdminAddr, ":9090"), adm.mux, log, nil) })
	g.Go(func() error { <-gctx.Done(); adm.health.SetShuttingDown(); return nil })
	g.Go(func() error { tenancy.Listen(gctx, appPool, changes, log); return nil })
	g.Go(func() error {
		err := ctrl.Run(gctx)
		if err == nil && gctx.Err() == nil {
			err = errors.New("controlplane: stopped")
		}
		return err
	})
	log.Info("controlplane: campaigning for the lease", "identity", *identity, "namespace", cfg.Namespace, "lease", cfg.LeaseName)
	err = g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// kubeConfig reads a kubeconfig file, or the pod's in-cluster configuration.
func kubeConfig(path string) (*rest.Config, error) {
	if path != "" {
		rc, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			return nil, fmt.Errorf("controlplane: kubeconfig %s: %w", path, err)
		}
		return rc, nil
	}
	rc, err := rest.InClusterConfig()
	if err != nil {
		return nil, fmt.Errorf("controlplane: not in a cluster and no --kubeconfig: %w", err)
	}
	rc.Timeout = 30 * time.Second
	return rc, nil
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
