// Command kube-apiserver is the Kubernetes API server, built from the Go module proxy
// for the control plane's integration tests (make kubebin); it is never deployed.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
