package scale

import (
	"bytes"
	"encoding/json"
	"fmt"
)

const adminV3 = "type.googleapis.com/envoy.admin.v3."

// findTemplates reads the copied resources out of the template's configs entries.
func findTemplates(configs []map[string]json.RawMessage) (templates, error) {
	var t templates
	for _, sec := range configs {
		switch typeOf(sec) {
		case adminV3 + "ClustersConfigDump":
			t.httpCluster = findElem(sec, "dynamic_active_clusters", "cluster", tplHTTPCluster)
			t.tlsCluster = findElem(sec, "dynamic_active_clusters", "cluster", tplTLSCluster)
			t.httpEntry = slotted(findEntry(sec, "dynamic_active_clusters", "cluster", tplHTTPCluster))
			t.tlsEntry = slotted(findEntry(sec, "dynamic_active_clusters", "cluster", tplTLSCluster))
		case adminV3 + "ListenersConfigDump":
			t.listener = findElem(sec, "dynamic_listeners", "", tplListener)
		case adminV3 + "RoutesConfigDump":
			if rc := routeConfig(sec); rc != nil {
				var vhs []json.RawMessage
				_ = json.Unmarshal(rc["virtual_hosts"], &vhs)
				for _, vh := range vhs {
					if nameOf(vh, "") == tplVHost {
						t.vhost = compact(vh)
					}
				}
			}
		}
	}
	if t.httpEntry == nil || t.tlsEntry == nil || t.listener == nil || t.vhost == nil {
		return t, fmt.Errorf("template dump lacks one of %s, %s, listener %s, virtual host %s", tplHTTPCluster, tplTLSCluster, tplListener, tplVHost)
	}
	return t, nil
}

// grow appends n replicas to the cluster, listener and route "80" lists.
func grow(configs []map[string]json.RawMessage, t templates, n int) error {
	for _, sec := range configs {
		var err error
		switch typeOf(sec) {
		case adminV3 + "ClustersConfigDump":
			err = appendList(sec, "dynamic_active_clusters", n, func(r replica) [][]byte {
				return [][]byte{fill(t.httpEntry, t.cluster80(r)), fill(t.tlsEntry, t.cluster443(r))}
			})
		case adminV3 + "ListenersConfigDump":
			err = appendList(sec, "dynamic_listeners", n, func(r replica) [][]byte { return [][]byte{t.listenerFor(r)} })
		case adminV3 + "RoutesConfigDump":
			err = growRoutes(sec, t, n)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// slotted returns a dynamic cluster entry (version_info, last_updated) with its cluster
// replaced by clusterSlot; nil when entry is nil.
func slotted(entry []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(entry, &m) != nil {
		return nil
	}
	m["cluster"] = json.RawMessage(clusterSlot)
	b, _ := marshal(m)
	return b
}

// fill puts cluster into a slotted entry.
func fill(entry, cluster []byte) []byte {
	return bytes.Replace(entry, []byte(clusterSlot), cluster, 1)
}

func appendList(sec map[string]json.RawMessage, list string, n int, mk func(replica) [][]byte) error {
	var elems []json.RawMessage
	if err := json.Unmarshal(sec[list], &elems); err != nil {
		return err
	}
	for i := range n {
		for _, e := range mk(newReplica(i)) {
			elems = append(elems, e)
		}
	}
	b, err := marshal(elems)
	sec[list] = b
	return err
}

func growRoutes(sec map[string]json.RawMessage, t templates, n int) error {
	var entries []map[string]json.RawMessage
	if err := json.Unmarshal(sec["dynamic_route_configs"], &entries); err != nil {
		return err
	}
	for _, e := range entries {
		var rc map[string]json.RawMessage
		if json.Unmarshal(e["route_config"], &rc) != nil || nameOf(e["route_config"], "") != tplRoute {
			continue
		}
		var vhs []json.RawMessage
		_ = json.Unmarshal(rc["virtual_hosts"], &vhs)
		last := vhs[len(vhs)-1] // allow_any stays last, as istiod writes it
		vhs = vhs[:len(vhs)-1]
		for i := range n {
			vhs = append(vhs, t.vhostFor(newReplica(i)))
		}
		rc["virtual_hosts"], _ = marshal(append(vhs, last))
		e["route_config"], _ = marshal(rc)
	}
	b, err := marshal(entries)
	sec["dynamic_route_configs"] = b
	return err
}

func typeOf(sec map[string]json.RawMessage) string {
	var s string
	_ = json.Unmarshal(sec["@type"], &s)
	return s
}

func routeConfig(sec map[string]json.RawMessage) map[string]json.RawMessage {
	var entries []map[string]json.RawMessage
	_ = json.Unmarshal(sec["dynamic_route_configs"], &entries)
	for _, e := range entries {
		if nameOf(e["route_config"], "") == tplRoute {
			var rc map[string]json.RawMessage
			_ = json.Unmarshal(e["route_config"], &rc)
			return rc
		}
	}
	return nil
}

// findEntry returns the list element whose name (under inner, when set) is name.
func findEntry(sec map[string]json.RawMessage, list, inner, name string) []byte {
	var elems []json.RawMessage
	_ = json.Unmarshal(sec[list], &elems)
	for _, e := range elems {
		if nameOf(e, inner) == name {
			return e
		}
	}
	return nil
}

// findElem is findEntry's resource itself (its inner object when inner is set), compact.
func findElem(sec map[string]json.RawMessage, list, inner, name string) []byte {
	e := findEntry(sec, list, inner, name)
	if e == nil {
		return nil
	}
	if inner != "" {
		var m map[string]json.RawMessage
		_ = json.Unmarshal(e, &m)
		e = m[inner]
	}
	return compact(e)
}

func nameOf(raw []byte, inner string) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	if inner != "" {
		return nameOf(m[inner], "")
	}
	var s string
	_ = json.Unmarshal(m["name"], &s)
	return s
}

func compact(raw []byte) []byte {
	var b bytes.Buffer
	_ = json.Compact(&b, raw)
	return b.Bytes()
}
