package envoy

import (
	"cmp"
	"slices"
)

// sortDump puts every top-level list in a deterministic order: by name, then
// by state (active, warming, draining, rejected). Order inside a resource
// (filter chains, virtual hosts, routes) is Envoy's and is kept.
func sortDump(d *Dump) {
	slices.SortStableFunc(d.Listeners, func(a, b Listener) int { return byNameState(a.Name, b.Name, a.State, b.State) })
	slices.SortStableFunc(d.RouteConfigs, func(a, b RouteConfig) int { return byNameState(a.Name, b.Name, a.State, b.State) })
	slices.SortStableFunc(d.Clusters, func(a, b Cluster) int { return byNameState(a.Name, b.Name, a.State, b.State) })
	slices.SortStableFunc(d.Secrets, func(a, b Secret) int { return byNameState(a.Name, b.Name, a.State, b.State) })
	slices.SortStableFunc(d.Endpoints, func(a, b ClusterEndpoints) int { return cmp.Compare(a.Cluster, b.Cluster) })
	for i := range d.Endpoints {
		slices.SortStableFunc(d.Endpoints[i].Endpoints, func(a, b Endpoint) int { return cmp.Compare(a.Address, b.Address) })
	}
}

func byNameState(an, bn string, as, bs State) int {
	if c := cmp.Compare(an, bn); c != 0 {
		return c
	}
	return cmp.Compare(stateRank(as), stateRank(bs))
}

// best returns the index of the entry named name in the best state
// (active before warming, draining, rejected), or -1.
func best[T any](list []T, name string, key func(*T) (string, State)) int {
	found, rank := -1, 99
	for i := range list {
		n, s := key(&list[i])
		if n == name && stateRank(s) < rank {
			found, rank = i, stateRank(s)
		}
	}
	return found
}

// Listener returns the listener named name, preferring the active version; nil if absent.
func (d *Dump) Listener(name string) *Listener {
	i := best(d.Listeners, name, func(l *Listener) (string, State) { return l.Name, l.State })
	if i < 0 {
		return nil
	}
	return &d.Listeners[i]
}

// ListenersOnPort returns the listeners bound to or matching port, in dump order.
func (d *Dump) ListenersOnPort(port int) []*Listener {
	var out []*Listener
	for i := range d.Listeners {
		if d.Listeners[i].Port == port {
			out = append(out, &d.Listeners[i])
		}
	}
	return out
}

// RouteConfig returns the route config named name, preferring the active one; nil if absent.
func (d *Dump) RouteConfig(name string) *RouteConfig {
	i := best(d.RouteConfigs, name, func(r *RouteConfig) (string, State) { return r.Name, r.State })
	if i < 0 {
		return nil
	}
	return &d.RouteConfigs[i]
}

// Cluster returns the cluster named name, preferring the active one; nil if absent.
func (d *Dump) Cluster(name string) *Cluster {
	i := best(d.Clusters, name, func(c *Cluster) (string, State) { return c.Name, c.State })
	if i < 0 {
		return nil
	}
	return &d.Clusters[i]
}

// Secret returns the SDS secret named name, preferring the active one; nil if absent.
func (d *Dump) Secret(name string) *Secret {
	i := best(d.Secrets, name, func(s *Secret) (string, State) { return s.Name, s.State })
	if i < 0 {
		return nil
	}
	return &d.Secrets[i]
}

// EndpointsFor returns the EDS load assignment for a cluster (or EDS service
// name), or nil when the dump has none (dumps without ?include_eds).
func (d *Dump) EndpointsFor(cluster string) *ClusterEndpoints {
	for i := range d.Endpoints {
		if d.Endpoints[i].Cluster == cluster {
			return &d.Endpoints[i]
		}
	}
	return nil
}

// RouteConfigFor returns the route config an HTTP filter chain uses: its
// inline config, or the RDS config it names.
func (d *Dump) RouteConfigFor(h *HTTPConnectionManager) *RouteConfig {
	if h == nil {
		return nil
	}
	if h.RouteConfig != nil {
		return h.RouteConfig
	}
	return d.RouteConfig(h.RDSRouteConfig)
}

// ClustersForHost returns the Istio outbound clusters for host (any subset),
// on port when port > 0, in name order.
func (d *Dump) ClustersForHost(host string, port int) []*Cluster {
	var out []*Cluster
	for i := range d.Clusters {
		n := d.Clusters[i].Istio
		if n != nil && n.Direction == "outbound" && n.Host == host && (port <= 0 || n.Port == port) {
			out = append(out, &d.Clusters[i])
		}
	}
	return out
}
