package mesh

import (
	"strings"
	"testing"
)

// TestValidateRanges: ports outside 1-65535 and durations that do not fit a Go duration
// are load errors naming the object and the field; values in range load.
func TestValidateRanges(t *testing.T) {
	const se = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: cnn, namespace: default}\nspec:\n  hosts: [edition.cnn.com]\n  resolution: DNS\n"
	const vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cnn, namespace: default}\nspec:\n  hosts: [edition.cnn.com]\n"
	const dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: cnn, namespace: default}\nspec:\n  host: edition.cnn.com\n"
	const gw = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: egress, namespace: istio-system}\nspec:\n  selector: {istio: egressgateway}\n"
	const sc = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: default}\nspec:\n"
	route := func(port string) string {
		return "  http:\n  - route:\n    - destination: {host: edition.cnn.com, port: {number: " + port + "}}\n"
	}
	tests := []struct {
		name, manifest, want string
	}{
		{"in range", se + "  ports: [{number: 443, name: tls, protocol: TLS, targetPort: 8443}]\n", ""},
		{"ServiceEntry port", se + "  ports: [{number: 70000, name: tls, protocol: TLS}]\n",
			"ServiceEntry default/cnn: spec.ports[0].number: 70000 is outside 1-65535"},
		{"ServiceEntry port 0", se + "  ports: [{number: 443, name: a, protocol: TLS}, {name: b, protocol: TLS}]\n",
			"ServiceEntry default/cnn: spec.ports[1].number: 0 is outside 1-65535"},
		{"ServiceEntry targetPort", se + "  ports: [{number: 443, name: tls, protocol: TLS, targetPort: 65536}]\n",
			"ServiceEntry default/cnn: spec.ports[0].targetPort: 65536 is outside 1-65535"},
		{"ServiceEntry endpoint ports", se + "  ports: [{number: 443, name: tls, protocol: TLS}]\n  endpoints: [{address: 1.2.3.4, ports: {tls: 99999}}]\n",
			"ServiceEntry default/cnn: spec.endpoints[0].ports[tls]: 99999 is outside 1-65535"},
		{"VirtualService destination port", vs + route("70000"),
			"VirtualService default/cnn: spec.http[0].route[0].destination.port.number: 70000 is outside 1-65535"},
		{"VirtualService tls destination port", vs + "  tls:\n  - match: [{sniHosts: [edition.cnn.com], port: 443}]\n    route: [{destination: {host: edition.cnn.com, port: {number: 100000}}}]\n",
			"VirtualService default/cnn: spec.tls[0].route[0].destination.port.number: 100000 is outside 1-65535"},
		{"VirtualService match port", vs + "  tcp:\n  - match: [{port: 70000}]\n    route: [{destination: {host: edition.cnn.com}}]\n",
			"VirtualService default/cnn: spec.tcp[0].match[0].port: 70000 is outside 1-65535"},
		{"VirtualService timeout overflow", vs + route("443") + "    timeout: 10000000000s\n",
			"VirtualService default/cnn: spec.http[0].timeout: 10000000000s overflows a duration (at most 2562047h47m16s)"},
		{"VirtualService negative timeout", vs + route("443") + "    timeout: -1s\n",
			"VirtualService default/cnn: spec.http[0].timeout: -1s is negative"},
		{"VirtualService timeout in range", vs + route("443") + "    timeout: 9223372036s\n", ""},
		{"DestinationRule portLevelSettings", dr + "  trafficPolicy:\n    portLevelSettings: [{port: {number: 70000}, tls: {mode: SIMPLE}}]\n",
			"DestinationRule default/cnn: spec.trafficPolicy.portLevelSettings[0].port.number: 70000 is outside 1-65535"},
		{"DestinationRule subset portLevelSettings", dr + "  subsets:\n  - name: a\n    trafficPolicy:\n      portLevelSettings: [{port: {number: 80}}, {port: {number: 65536}}]\n",
			"DestinationRule default/cnn: spec.subsets[0].trafficPolicy.portLevelSettings[1].port.number: 65536 is outside 1-65535"},
		{"DestinationRule connectTimeout", dr + "  trafficPolicy:\n    connectionPool: {tcp: {connectTimeout: 9223372037s}}\n",
			"DestinationRule default/cnn: spec.trafficPolicy.connectionPool.tcp.connectTimeout: 9223372037s overflows a duration (at most 2562047h47m16s)"},
		{"Gateway server port", gw + "  servers: [{port: {number: 70000, name: tls, protocol: TLS}, hosts: ['*']}]\n",
			"Gateway istio-system/egress: spec.servers[0].port.number: 70000 is outside 1-65535"},
		{"Gateway server port missing", gw + "  servers: [{port: {name: tls, protocol: TLS}, hosts: ['*']}]\n",
			"Gateway istio-system/egress: spec.servers[0].port.number: 0 is outside 1-65535"},
		{"Sidecar egress port", sc + "  egress: [{port: {number: 70000, protocol: HTTP, name: http}, hosts: ['./*']}]\n",
			"Sidecar default/default: spec.egress[0].port.number: 70000 is outside 1-65535"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFiles([]string{writeFiles(t, map[string]string{"a.yaml": tt.manifest})})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("LoadFiles = %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.HasSuffix(err.Error(), ": "+tt.want)):
				t.Errorf("LoadFiles error = %v, want it to end in %q", err, tt.want)
			}
		})
	}
}
