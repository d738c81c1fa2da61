package main

import (
	"cmp"
	"context"
	"errors"
	"io"
	"os"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/services/controlplane"
)

// envControlplane holds the control plane's configuration as JSON (the chart renders it).
const envControlplane = "PLEIN_CONTROLPLANE"

// cmdControlplane runs `plein controlplane`: the Kubernetes reconciler of the tenants.
func cmdControlplane(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("controlplane", stderr, dataDirEnvHelp)
	kubeconfig := fs.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file; empty means the pod's in-cluster service account")
	cfgFile := fs.String("config", "", "configuration file (JSON); empty means the environment variable "+envControlplane)
	host, _ := os.Hostname()
	identity := fs.String("identity", cmp.Or(os.Getenv("POD_NAME"), host), "this replica's name in the leader election Lease")
	once := fs.Bool("once", false, "reconcile every tenant once and exit (no leader election: for an operator's check, never next to a running control plane)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := observe.NewEnvLogger(stderr)
	cfg, err := controlplane.LoadConfig(*cfgFile, os.Getenv(envControlplane))
	if errors.Is(err, controlplane.ErrNoConfig) {
		return usageError{"plein controlplane: no configuration: set " + envControlplane + " (JSON) or --config FILE"}
	} else if err != nil {
		return err
	}
	kube, err := controlplane.KubeClient(*kubeconfig)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needControl|needDir)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	adm := observe.NewAdmin(log, p.app.Ping)
	met, err := controlplane.NewMetrics(adm.Reg)
	if err != nil {
		return err
	}
	rec := controlplane.NewReconciler(kube, controlplane.DirectorySource{Dir: p.dir}, controlplane.NewConditions(p.control), cfg, log, met)
	if *once {
		return controlplane.Once(ctx, rec, stdout)
	}
	return observe.RunRole(ctx, adm.Health, httpapi.Serving(cmp.Or(os.Getenv(envAdminAddr), ":9090"), adm.Mux, log), func(ctx context.Context) error {
		return controlplane.Lead(ctx, rec, kube, *identity, p.app, log, met)
	})
}
