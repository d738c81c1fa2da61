// Package kubetest starts a real kube-apiserver and etcd (controller-runtime's envtest)
// for tests. The binaries come from KUBEBUILDER_ASSETS when set (make test sets it), else
// from tools/kubebin/build.sh, which builds them from the Go module proxy into the
// user's cache (minutes the first time, at once afterwards). Tests never skip: without
// the binaries they fail.
package kubetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Assets returns the directory holding kube-apiserver and etcd.
func Assets(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("KUBEBUILDER_ASSETS"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", "..", "tools", "kubebin", "build.sh")
	cmd := exec.Command("bash", script)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubetest: building kube-apiserver and etcd (%s): %v", script, err)
	}
	return strings.TrimSpace(string(out))
}

// Server is a running API server.
type Server struct {
	// Config reaches it as an administrator.
	Config *rest.Config
	// Kubeconfig is a kubeconfig file for it (for a command under test).
	Kubeconfig string
}

// Start starts an API server and etcd that stop when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	env := &envtest.Environment{BinaryAssetsDirectory: Assets(t), ControlPlaneStartTimeout: 2 * time.Minute}
	rc, err := env.Start()
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("kubetest: stop: %v", err)
		}
	})
	rc.QPS, rc.Burst = 100, 200
	user, err := env.AddUser(envtest.User{Name: "plein-test", Groups: []string{"system:masters"}}, rc)
	if err != nil {
		t.Fatalf("kubetest: user: %v", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatalf("kubetest: kubeconfig: %v", err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return &Server{Config: rc, Kubeconfig: path}
}
