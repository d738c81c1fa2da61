package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/plein-nl/plein/services/controlplane"
	"github.com/plein-nl/plein/services/controlplane/kubetest"
	"github.com/plein-nl/plein/services/tenancy"
)

// TestControlplaneCommand runs `plein controlplane --once` against a real kube-apiserver
// with every gemeente of tenants/ applied: each gets its Ingress, each silo its namespace
// and workers, and the conditions come back onto the tenants.
func TestControlplaneCommand(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	data := liveDataDir(t)
	if _, errOut, err := runCLI(t, "tenant", "apply", "-f", "../../tenants", "--data-dir", data); err != nil {
		t.Fatalf("apply: %v\n%s", err, errOut)
	}
	loaded, err := tenancy.LoadPath("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	srv := kubetest.Start(t)
	kube := kubernetes.NewForConfigOrDie(srv.Config)
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "plein-system"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := kube.CoreV1().Secrets("plein-system").Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "plein-env"},
		Data: map[string][]byte{"PLEIN_DATABASE_URL": []byte("postgres://plein_app@db/plein")}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// Without a configuration: a usage error, nothing done.
	if _, _, err := runCLI(t, "controlplane", "--once", "--kubeconfig", srv.Kubeconfig, "--data-dir", data); exitCode(err) != 2 {
		t.Errorf("without a configuration: %v (exit %d), want a usage error", err, exitCode(err))
	}
	cfgFile := filepath.Join(t.TempDir(), "controlplane.json")
	bad := `{"namespace": "plein-system", "apiService": "plein-api", "image": "plein:test", "envSecret": "plein-env", "colour": "blue"}`
	if err := os.WriteFile(cfgFile, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "controlplane", "--once", "--kubeconfig", srv.Kubeconfig, "--config", cfgFile, "--data-dir", data); err == nil || !strings.Contains(err.Error(), `unknown field "colour"`) {
		t.Errorf("an unknown key: %v", err)
	}
	good := `{"namespace": "plein-system", "apiService": "plein-api", "image": "plein:test", "envSecret": "plein-env",
		"ingressClass": "nginx", "clusterIssuer": "letsencrypt"}`
	if err := os.WriteFile(cfgFile, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCLI(t, "controlplane", "--once", "--kubeconfig", srv.Kubeconfig, "--config", cfgFile, "--data-dir", data)
	if err != nil {
		t.Fatalf("controlplane --once: %v\n%s\n%s", err, out, errOut)
	}
	if want := fmt.Sprintf("controlplane: %d tenants reconciled, 0 failed", len(loaded)); !strings.Contains(out, want) {
		t.Errorf("output %q, want %q", out, want)
	}

	ings, err := kube.NetworkingV1().Ingresses("plein-system").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]string{}
	for _, ing := range ings.Items {
		for _, r := range ing.Spec.Rules {
			hosts[r.Host] = ing.Labels[controlplane.LabelTenant]
		}
	}
	var silos []string
	for _, l := range loaded {
		for _, h := range l.Config.Portal.Hosts {
			if hosts[h] != string(l.Config.ID) {
				t.Errorf("host %s routes to %q, want %s", h, hosts[h], l.Config.ID)
			}
		}
		if l.Config.Hosting.TierOrDefault() == tenancy.TierSilo {
			silos = append(silos, string(l.Config.ID))
		}
	}
	if len(ings.Items) != len(loaded) {
		t.Errorf("%d Ingresses for %d tenants", len(ings.Items), len(loaded))
	}
	if len(silos) == 0 {
		t.Fatal("tenants/ has no silo tenant to check")
	}
	for _, id := range silos {
		d, err := kube.AppsV1().Deployments("plein-"+id).Get(ctx, controlplane.SiloWorkerName, metav1.GetOptions{})
		if err != nil {
			t.Errorf("silo %s: %v", id, err)
			continue
		}
		if args := d.Spec.Template.Spec.Containers[0].Args; !slices.Equal(args, []string{"work", "--tenant", id}) {
			t.Errorf("silo %s runs %v", id, args)
		}
	}

	// The conditions are on the tenants: `plein tenant show` prints them.
	show, _, err := runCLI(t, "tenant", "show", "zwolle", "--data-dir", data)
	if err != nil || !regexp.MustCompile(`(?m)^\s+Ready\s+True\s+Reconciled`).MatchString(show) {
		t.Errorf("tenant show: %v\n%s", err, show)
	}
}
