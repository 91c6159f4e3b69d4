// Package testcluster starts a real etcd and kube-apiserver on loopback for integration
// tests, installs Istio's CRDs, and hands tests a rest.Config, a kubeconfig and the real
// kubectl. The binaries are built from the Go module proxy by hack/tools/build.sh into the
// git-ignored .cache/bin; tests that need them skip only under -short.
package testcluster
