// Package e2e holds end-to-end tests: the built kubectl-egress binary run through the real
// kubectl against a real kube-apiserver + etcd started by internal/testcluster.
package e2e
