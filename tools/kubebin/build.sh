#!/usr/bin/env bash
# Builds kube-apiserver and etcd for the control plane's integration tests, from the Go
# module proxy (the wrapper modules next to this script), into a cache outside the
# checkout, so that every clone on this machine shares them. Prints the directory.
# The first build takes about 6 minutes on 2 cores; later calls find the binaries and
# return at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}"
# The directory name carries a digest of the wrapper modules: a new version builds anew.
sum="$(cat "$here"/kube-apiserver/go.mod "$here"/kube-apiserver/go.sum "$here"/kube-apiserver/main.go \
	"$here"/etcd/go.mod "$here"/etcd/go.sum "$here"/etcd/main.go | sha256sum | cut -c1-12)"
dir="$cache/plein/kubebin/$sum"
mkdir -p "$dir"
for bin in etcd kube-apiserver; do
	if [[ ! -x "$dir/$bin" ]]; then
		echo "kubebin: building $bin into $dir (several minutes the first time)" >&2
		(cd "$here/$bin" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dir/$bin.tmp" .)
		mv "$dir/$bin.tmp" "$dir/$bin"
	fi
done
echo "$dir"
