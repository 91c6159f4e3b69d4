package trace

import (
	"path/filepath"
	"testing"
)

// TestIntentExternalHopMatchesDumps traces every scenario case twice, with the istiod dumps
// and from the Istio objects only, and requires the external hop to name the same host and
// port: where the request leaves the mesh is no guess of the client's port (TLS origination
// to 443 is host:443 in both); and, where both traces have them, the sidecar listener and
// the gateway listener hops to name the same proxy and listener (0.0.0.0_<port>, or
// virtualOutbound for a port no service gives a wildcard listener; the gateway's
// 0.0.0.0_<targetPort>). Issue 15's full differential compares every hop field; this is the
// part the config-only walk already models.
//
// walksOnFromConfig are the open differences of this kind (issue 15): with istiod's dumps the
// request stops before leaving the mesh (503 NC, reset), while the walk from the Istio
// objects alone goes on to an external hop of unknown status. A case that starts to agree
// must leave the list; a new difference fails.
var walksOnFromConfig = map[string]bool{
	"broken-dr-subset-missing/edition.cnn.com:80":                                  true, // subset missing: 503 NC
	"broken-exportto-hides-se/edition.cnn.com:80":                                  true, // exportTo hides the ServiceEntry
	"broken-credential-secret-missing/my-nginx.mesh-external.svc.cluster.local:80": true, // credential missing: cluster warming
	"broken-http-se-on-443/httpbin.org:443":                                        true, // HTTP ServiceEntry on 443: reset
}

func TestIntentExternalHopMatchesDumps(t *testing.T) {
	for _, tc := range scenarioCases {
		name := tc.scenario + "/" + tc.host + ":" + itoa(tc.port)
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", "scenarios", tc.scenario)
			in := loadScenario(t, dir)
			in.Host, in.Port, in.Protocol = tc.host, tc.port, tc.protocol
			dumpRep := Run(in)
			withDumps := external(dumpRep)
			in = loadScenario(t, dir)
			in.Host, in.Port, in.Protocol = tc.host, tc.port, tc.protocol
			clear(in.Dumps)
			configRep := Run(in)
			fromConfig := external(configRep)
			// The sidecar and gateway listeners, where both traces have them, are the same
			// listener: istiod's name for it (0.0.0.0_<port>, the VIP listener, the gateway's
			// 0.0.0.0_<targetPort>).
			for _, kind := range []HopKind{HopListener, HopGatewayListener} {
				d, c := hopOf(dumpRep, kind), hopOf(configRep, kind)
				if d != nil && c != nil && (d.Name != c.Name || d.Proxy != c.Proxy) {
					t.Errorf("%s hop from the Istio objects only = %s %q, with istiod's dumps = %s %q", kind, c.Proxy, c.Name, d.Proxy, d.Name)
				}
			}
			if walksOnFromConfig[name] {
				if v := Run(in).Verdict.Kind; v != Unknown && v != Blocked {
					t.Errorf("from the Istio objects only the verdict is %s, though the dumps stop the request: want unknown or blocked", v)
				}
				if withDumps == nil && fromConfig != nil {
					t.Logf("OPEN DIFFERENCE (issue 15): the dumps stop before the external hop, the Istio objects alone walk on to %s", fromConfig.Name)
					return
				}
				t.Errorf("%s is listed in walksOnFromConfig but no longer differs that way: remove it", name)
				return
			}
			if withDumps == nil || fromConfig == nil {
				if (withDumps == nil) != (fromConfig == nil) {
					t.Errorf("external hop with dumps %v, from the Istio objects only %v", withDumps, fromConfig)
				}
				return
			}
			if withDumps.Name != fromConfig.Name {
				t.Errorf("external hop from the Istio objects only = %q, with istiod's dumps = %q", fromConfig.Name, withDumps.Name)
			}
		})
	}
}

func external(r *Report) *Hop {
	for i := range r.Hops {
		if r.Hops[i].Kind == HopExternal {
			return &r.Hops[i]
		}
	}
	return nil
}
