package controlplane

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/services/tenancy"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := `{"namespace": "plein-system", "apiService": "plein-api", "image": "plein:test", "envSecret": "plein-env"}`
	file := filepath.Join(dir, "controlplane.json")
	if err := os.WriteFile(file, []byte(strings.Replace(good, "plein-system", "from-file", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file, env string
		wantNS, wantErr string
		noConfig        bool
	}{
		{name: "environment", env: good, wantNS: "plein-system"},
		{name: "the file over the environment", file: file, env: good, wantNS: "from-file"},
		{name: "nothing", env: " \n", noConfig: true, wantErr: "no configuration"},
		{name: "a missing file", file: filepath.Join(dir, "nope.json"), env: good, wantErr: "no such file"},
		{name: "an unknown key", env: strings.Replace(good, "}", `, "colour": "blue"}`, 1), wantErr: `unknown field "colour"`},
	} {
		cfg, err := LoadConfig(c.file, c.env)
		if c.wantErr == "" {
			if err != nil || cfg.Namespace != c.wantNS || cfg.LeaseName != DefaultLeaseName {
				t.Errorf("%s: namespace %q lease %q, err %v; want %q with the defaults", c.name, cfg.Namespace, cfg.LeaseName, err, c.wantNS)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || errors.Is(err, ErrNoConfig) != c.noConfig {
			t.Errorf("%s: err %v, want one saying %q (ErrNoConfig %v)", c.name, err, c.wantErr, c.noConfig)
		}
	}
}

func TestKubeClientRefusesABadKubeconfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if _, err := KubeClient(path); err == nil || !strings.Contains(err.Error(), "controlplane: kubeconfig "+path) {
		t.Errorf("a missing kubeconfig: %v", err)
	}
}

// TestOnce: one pass, and what it did on one line per removed object.
func TestOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	kube := fake.NewClientset(platformSecret())
	src := &memSource{tenants: []Tenant{zwolle, enschede}}
	r := NewReconciler(kube, src, newMemSink(), testConfig(), quiet(), nil)
	var out bytes.Buffer
	if err := Once(ctx, r, &out); err != nil || out.String() != "controlplane: 2 tenants reconciled, 0 failed, removed 0 objects\n" {
		t.Errorf("first pass: %v\n%s", err, out.String())
	}
	src.set(enschede)
	out.Reset()
	if err := Once(ctx, r, &out); err != nil ||
		!strings.HasPrefix(out.String(), "controlplane: 1 tenants reconciled, 0 failed, removed 1 objects\n  removed Ingress plein-system/tenant-zwolle\n") {
		t.Errorf("after zwolle left: %v\n%s", err, out.String())
	}
}

// TestLead: the run loop takes the lease, reconciles the registry's tenants, wakes up
// for a newly applied one (the resync is an hour away), and returns nil when stopped.
func TestLead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := dbtest.New(t)
	dir, err := tenancy.NewDirectory(ctx, d.App)
	if err != nil {
		t.Fatal(err)
	}
	store := tenancy.NewStore(d.Control, nil)
	apply := func(id string) {
		t.Helper()
		src := filepath.Join(t.TempDir(), id+".yaml")
		writeTenant(t, src, id, "mijn."+id+".example", "")
		loaded, err := tenancy.LoadPath(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Apply(ctx, loaded, "test", false); err != nil {
			t.Fatal(err)
		}
	}
	kube := fake.NewClientset(platformSecret())
	cfg := testConfig()
	cfg.Resync = Duration(time.Hour)
	r := NewReconciler(kube, DirectorySource{Dir: dir}, NewConditions(d.Control), cfg, quiet(), nil)
	ingress := func(id string) func() bool {
		return func() bool {
			_, err := kube.NetworkingV1().Ingresses(cfg.Namespace).Get(ctx, IngressName(id), metav1.GetOptions{})
			return err == nil
		}
	}

	apply("apeldoorn")
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- Lead(lctx, r, kube, "replica-1", d.App, quiet(), nil) }()
	waitFor(t, 10*time.Second, "the first pass", ingress("apeldoorn"))
	apply("hengelo")
	waitFor(t, 10*time.Second, "the Ingress of a newly applied tenant", ingress("hengelo"))
	lease, err := kube.CoordinationV1().Leases(cfg.Namespace).Get(ctx, cfg.LeaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity != "replica-1" {
		t.Errorf("the lease: %+v, %v; want held by replica-1", lease, err)
	}
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Lead after stop: %v, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Lead did not return after stop")
	}
}
