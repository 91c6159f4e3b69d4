package trace

import (
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Input is everything one trace reads. The loader (plugin, from files or the cluster) fills
// it; Run never reads anything else.
type Input struct {
	Snapshot *mesh.Snapshot
	// Dumps holds the parsed config dumps by "namespace/pod". A proxy without a dump is
	// traced from intent (the Istio objects) only, and says so.
	Dumps map[string]*envoy.Dump
	// Host is the external host; Port 0 and Protocol "" mean "decide from the ServiceEntry,
	// else 443/tls".
	Host     string
	Port     int
	Protocol string
	// Path is the URL path of an HTTP request, matched against the routes; "" means "/".
	Path string
	// Client is the "namespace/pod" of the client pod, resolved by the loader; ClientRef is
	// what the user typed (deploy/sleep, app=sleep).
	Client    string
	ClientRef string
	// Source is "cluster" or "files".
	Source string
	// Now is the time certificates are judged at; zero skips validity checks (Run reads
	// no clock).
	Now time.Time
}
