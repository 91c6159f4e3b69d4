package envoy

import (
	"slices"
	"strings"
)

// selection applies a Filter to one dump: it reduces raw configs entries to the kept
// resources, then trims the decoded model the same way and collects the names kept
// resources refer to (Filter.References).
type selection struct {
	f    Filter
	refs [kindCount]map[string]bool
}

func newSelection(f Filter) *selection {
	s := &selection{f: f}
	for k := range s.refs {
		s.refs[k] = map[string]bool{}
	}
	return s
}

func (s *selection) pred(kind sectionKind) func(string) bool {
	switch kind {
	case kindListeners:
		return s.f.Listener
	case kindRoutes:
		return s.f.RouteConfig
	case kindClusters:
		return s.f.Cluster
	case kindEndpoints:
		return s.f.Endpoints
	case kindSecrets:
		return s.f.Secret
	}
	return nil
}

// keepName reports whether the resource of kind named name is kept.
func (s *selection) keepName(kind sectionKind, name string) bool {
	p := s.pred(kind)
	return p == nil || p(name) || s.refs[kind][name]
}

// filters reports whether entries of kind need rewriting at all.
func (s *selection) filters(kind sectionKind) bool {
	return s.pred(kind) != nil || (kind == kindRoutes && s.f.VirtualHost != nil)
}

// keepDomains reports whether a virtual host with these domains is kept.
func (s *selection) keepDomains(domains []string) bool {
	return s.f.VirtualHost == nil || s.f.VirtualHost(domains)
}

// keep trims the decoded resources of kind to the kept ones and records their references.
func (s *selection) keep(d *Dump, kind sectionKind) {
	switch kind {
	case kindListeners:
		d.Listeners = slices.DeleteFunc(d.Listeners, func(l Listener) bool { return !s.keepName(kind, l.Name) })
		d.Listeners = nilIfEmpty(d.Listeners)
		for i := range d.Listeners {
			s.listenerRefs(&d.Listeners[i])
		}
	case kindRoutes:
		d.RouteConfigs = slices.DeleteFunc(d.RouteConfigs, func(r RouteConfig) bool { return !s.keepName(kind, r.Name) })
		d.RouteConfigs = nilIfEmpty(d.RouteConfigs)
		for i := range d.RouteConfigs {
			rc := &d.RouteConfigs[i]
			rc.VirtualHosts = nilIfEmpty(slices.DeleteFunc(rc.VirtualHosts, func(v VirtualHost) bool { return !s.keepDomains(v.Domains) }))
			s.routeRefs(rc)
		}
	case kindClusters:
		d.Clusters = slices.DeleteFunc(d.Clusters, func(c Cluster) bool { return !s.keepName(kind, c.Name) })
		d.Clusters = nilIfEmpty(d.Clusters)
		for i := range d.Clusters {
			s.clusterRefs(&d.Clusters[i])
		}
	case kindEndpoints:
		d.Endpoints = nilIfEmpty(slices.DeleteFunc(d.Endpoints, func(e ClusterEndpoints) bool { return !s.keepName(kind, e.Cluster) }))
	case kindSecrets:
		d.Secrets = nilIfEmpty(slices.DeleteFunc(d.Secrets, func(x Secret) bool { return !s.keepName(kind, x.Name) }))
	}
}

// nilIfEmpty maps an empty list to nil, as Parse leaves a list it found nothing for.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (s *selection) ref(kind sectionKind, name string) {
	if s.f.References && name != "" {
		s.refs[kind][name] = true
	}
}

func (s *selection) listenerRefs(l *Listener) {
	chains := l.FilterChains
	if l.DefaultFilterChain != nil {
		chains = append(slices.Clip(chains), *l.DefaultFilterChain)
	}
	for _, fc := range chains {
		if fc.TLS != nil {
			s.tlsRefs(&fc.TLS.TLSContext)
		}
		for _, nf := range fc.Filters {
			if h := nf.HTTP; h != nil {
				s.ref(kindRoutes, h.RDSRouteConfig)
				if h.RouteConfig != nil {
					s.routeRefs(h.RouteConfig)
				}
			}
			if t := nf.TCP; t != nil {
				s.ref(kindClusters, t.Cluster)
				for _, wc := range t.WeightedClusters {
					s.ref(kindClusters, wc.Name)
				}
			}
		}
	}
}

func (s *selection) routeRefs(rc *RouteConfig) {
	for _, vh := range rc.VirtualHosts {
		for _, r := range vh.Routes {
			s.ref(kindClusters, r.Cluster)
			for _, wc := range r.WeightedClusters {
				s.ref(kindClusters, wc.Name)
			}
		}
	}
}

func (s *selection) clusterRefs(c *Cluster) {
	s.ref(kindEndpoints, c.Name)
	s.ref(kindEndpoints, c.EDSServiceName)
	if c.TLS != nil {
		s.tlsRefs(&c.TLS.TLSContext)
	}
	for _, m := range c.TransportSocketMatches {
		if m.TLS != nil {
			s.tlsRefs(&m.TLS.TLSContext)
		}
	}
}

func (s *selection) tlsRefs(t *TLSContext) {
	for _, n := range t.CertificateSDS {
		s.ref(kindSecrets, n)
	}
	s.ref(kindSecrets, t.ValidationSDS)
}

// pathNode is a trie of JSON member names leading from a list element to its resource
// name (name) or, in route configs, to the virtual_hosts array (vhosts).
type pathNode struct {
	next   map[string]*pathNode
	name   bool
	vhosts bool
}

// add inserts the path keys (proto names; their JSON camelCase names are added too).
func (n *pathNode) add(vhosts bool, keys ...string) {
	for _, k := range keys {
		if n.next == nil {
			n.next = map[string]*pathNode{}
		}
		c := n.next[k]
		if c == nil {
			c = &pathNode{}
			n.next[k], n.next[camel(k)] = c, c
		}
		n = c
	}
	n.name, n.vhosts = !vhosts, vhosts
}

func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// kindSpec says which members of a configs entry are resource lists, and where each
// element keeps its name.
type kindSpec struct {
	lists map[string]bool
	paths *pathNode
}

var specs = func() [kindCount]*kindSpec {
	var out [kindCount]*kindSpec
	mk := func(lists []string, paths ...[]string) *kindSpec {
		ks := &kindSpec{lists: map[string]bool{}, paths: &pathNode{}}
		for _, l := range lists {
			ks.lists[l], ks.lists[camel(l)] = true, true
		}
		for _, p := range paths {
			ks.paths.add(p[len(p)-1] == "virtual_hosts", p...)
		}
		return ks
	}
	failed := []string{"error_state", "failed_configuration", "name"}
	out[kindListeners] = mk([]string{"static_listeners", "dynamic_listeners"},
		[]string{"name"}, []string{"listener", "name"}, []string{"active_state", "listener", "name"},
		[]string{"warming_state", "listener", "name"}, []string{"draining_state", "listener", "name"}, failed)
	out[kindRoutes] = mk([]string{"static_route_configs", "dynamic_route_configs"},
		[]string{"route_config", "name"}, []string{"route_config", "virtual_hosts"}, failed)
	out[kindClusters] = mk([]string{"static_clusters", "dynamic_active_clusters", "dynamic_warming_clusters"},
		[]string{"cluster", "name"}, failed)
	out[kindEndpoints] = mk([]string{"static_endpoint_configs", "dynamic_endpoint_configs"},
		[]string{"endpoint_config", "cluster_name"})
	out[kindSecrets] = mk([]string{"static_secrets", "dynamic_active_secrets", "dynamic_warming_secrets"},
		[]string{"name"}, []string{"secret", "name"})
	return out
}()
