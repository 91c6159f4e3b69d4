// Package mesh owns the LOAD step of kubectl-egress: it reads everything a trace or a
// secrets check needs — Istio networking objects (normalised to networking.istio.io/v1),
// Namespaces, Pods, Services, Deployments, ReplicaSets, NetworkPolicies, the mesh config
// and Secrets reduced to metadata plus parsed certificate summaries — either from manifest
// files (LoadFiles) or from a live cluster (Live), into one typed Snapshot with indexes
// built as objects are added. Private key bytes and secret values never enter a Snapshot.
// This is the only package that does I/O; everything downstream works on the Snapshot
// without clients, clocks or goroutines.
package mesh
