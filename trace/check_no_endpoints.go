package trace

import "fmt"

var checkNoEndpoints = check{
	code: "EGR0105", level: LevelError, class: "A6",
	title: "Upstream cluster has no endpoints",
	doc: "The cluster that carries the request has no hosts: a DNS cluster whose name did not resolve or an EDS " +
		"cluster whose endpoints are empty (duplicate ServiceEntries, empty subset, no ready pods). Envoy " +
		"answers `503 UH no_healthy_upstream`. EDS is only judged when the dump includes endpoints.",
	run: runNoEndpoints,
}

func runNoEndpoints(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		c := lg.cluster
		if c == nil {
			continue
		}
		empty := (c.Type == "STRICT_DNS" || c.Type == "LOGICAL_DNS" || c.Type == "STATIC") && len(c.Hosts) == 0
		if e := lg.dump.EndpointsFor(edsName(c)); c.Type == "EDS" && e != nil && len(e.Endpoints) == 0 {
			empty = true
		}
		if empty {
			out = append(out, issue{object: configObject(c.Config), proxy: lg.proxy, hop: lg.clusterHop,
				message: fmt.Sprintf("cluster %s (%s) on %s has no endpoints (503 UH no_healthy_upstream)", c.Name, c.Type, lg.proxy),
				fix:     "check that the host resolves from the proxy (DNS) and that the ServiceEntry/Service has endpoints"})
		}
	}
	return out
}

// legs lists the legs walked through a dump.
func (a *analysis) legs() []*leg {
	out := []*leg{}
	if a.side.dump != nil {
		out = append(out, &a.side)
	}
	if a.gw != nil && a.gw.dump != nil {
		out = append(out, a.gw)
	}
	return out
}
