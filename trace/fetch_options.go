package trace

import (
	"slices"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// FetchOptions tell the live narrow fetch (envoy.FetchForHost) what a trace of in (before
// any dump is read) looks up on the client's proxy: the client pod, and the address whose
// VIP listener the walk reads (destinationAddr), if any. It returns none when the trace may
// walk the client's proxy as an egress gateway too (a gateway Service selects the client):
// every proxy is then read as without options. If the walk ever reads more addresses
// (status.addresses, auto-allocated VIPs), they must be passed here too.
func FetchOptions(in Input) []envoy.HostOption {
	in.Dumps = nil
	a := newAnalysis(in)
	if a.client != nil {
		for _, k := range mesh.SortedKeys(a.snap.Services) {
			if svc := a.snap.Services[k]; isGatewayService(a.snap, svc) && slices.Contains(servicePods(a.snap, svc), a.client) {
				return nil
			}
		}
	}
	var addrs []string
	if ad := a.destinationAddr(); ad.IsValid() {
		addrs = append(addrs, ad.String())
	}
	ns, name, _ := strings.Cut(in.Client, "/")
	return []envoy.HostOption{envoy.WithClient(envoy.PodRef{Namespace: ns, Name: name}, addrs...)}
}
