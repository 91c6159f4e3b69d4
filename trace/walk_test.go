package trace

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

const (
	gwSubsetCluster = "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local"
	cnnCluster80    = "outbound|80||edition.cnn.com"
)

// parseScenarioDump parses one generated dump of a scenario afresh.
func parseScenarioDump(t *testing.T, scenario, proxy string) *envoy.Dump {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "scenarios", scenario, "dumps", proxy+".json"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := envoy.Parse(b)
	if err != nil {
		t.Fatalf("envoy.Parse(%s): %v", proxy, err)
	}
	return d
}

// cnnVirtualHost returns the sidecar's virtual host for edition.cnn.com:80 in gateway-http.
func cnnVirtualHost(t *testing.T, in *Input) *envoy.VirtualHost {
	t.Helper()
	rc := in.Dumps[scenarioClient].RouteConfig("80")
	if rc == nil {
		t.Fatal("sidecar dump has no route config 80")
	}
	vh := rc.VirtualHostFor("edition.cnn.com", 80)
	if vh == nil || len(vh.Routes) != 1 || vh.Routes[0].Cluster != gwSubsetCluster {
		t.Fatalf("virtual host for edition.cnn.com:80 = %+v, want one route to %s", vh, gwSubsetCluster)
	}
	return vh
}

func hopOf(r *Report, kind HopKind) *Hop {
	for i := range r.Hops {
		if r.Hops[i].Kind == kind {
			return &r.Hops[i]
		}
	}
	return nil
}

func TestRouteMatch(t *testing.T) {
	// istiod generates these routes from VirtualService http matches (a header match, prefix,
	// exact and regex uri); gateway-http's VirtualService has none, so they are put in front
	// of the generated route in the parsed sidecar dump.
	extra := []envoy.Route{
		{Name: "canary", Match: envoy.RouteMatch{Prefix: "/", Headers: 1}, Cluster: "outbound|80|canary|edition.cnn.com"},
		{Name: "api", Match: envoy.RouteMatch{Prefix: "/api"}, Cluster: cnnCluster80},
		{Name: "exact", Match: envoy.RouteMatch{Path: "/exact"}, DirectResponse: &envoy.DirectResponse{Status: 403}},
		{Name: "versioned", Match: envoy.RouteMatch{Regex: "/v[0-9]+/.*"}, DirectResponse: &envoy.DirectResponse{Status: 418}},
	}
	tests := []struct {
		name, path string
		want       VerdictKind
		cluster    string // the sidecar's cluster hop, "" when the route answers
		response   string
		note       string // substring of a route hop note
	}{
		{name: "default path skips the header route", path: "", want: ViaGateway, cluster: gwSubsetCluster, note: "route canary matches path / but also 1 header matcher(s); skipped"},
		{name: "prefix", path: "/api/v1?x=1", want: Bypass, cluster: cnnCluster80},
		{name: "exact", path: "/exact", want: Blocked, response: "HTTP 403"},
		{name: "exact needs the whole path", path: "/exactly", want: ViaGateway, cluster: gwSubsetCluster},
		{name: "regex", path: "/v2/items", want: Blocked, response: "HTTP 418"},
		{name: "regex is anchored", path: "/x/v2/items", want: ViaGateway, cluster: gwSubsetCluster},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-http"))
			in.Host, in.Port, in.Path = "edition.cnn.com", 80, tt.path
			vh := cnnVirtualHost(t, &in)
			vh.Routes = append(slices.Clone(extra), vh.Routes...)
			r := Run(in)
			if r.Verdict.Kind != tt.want || !strings.Contains(r.Verdict.Response, tt.response) {
				t.Errorf("Verdict = %+v, want %s with response %q", r.Verdict, tt.want, tt.response)
			}
			if h := hopOf(r, HopCluster); tt.cluster != "" && (h == nil || h.Name != tt.cluster) {
				t.Errorf("cluster hop = %+v, want %s", h, tt.cluster)
			}
			if h := hopOf(r, HopRoute); tt.note != "" && !slices.ContainsFunc(h.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("route hop notes = %q, want one containing %q", h.Notes, tt.note)
			}
			if tt.path != "" && !strings.Contains(r.Hops[0].Detail, strings.TrimSuffix(tt.path, "?x=1")) {
				t.Errorf("client hop detail = %q, want the path %s", r.Hops[0].Detail, tt.path)
			}
		})
	}
}

func TestRouteMatchNoRoute(t *testing.T) {
	in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-http"))
	in.Host, in.Port = "edition.cnn.com", 80
	vh := cnnVirtualHost(t, &in)
	vh.Routes[0].Match = envoy.RouteMatch{Prefix: "/api"} // a VirtualService matching only uri prefix /api
	r := Run(in)
	if r.Verdict.Kind != Blocked || !strings.Contains(r.Verdict.Response, "404 NR") {
		t.Errorf("Verdict = %+v, want blocked with 404 NR", r.Verdict)
	}
}

func TestPathMatches(t *testing.T) {
	tests := []struct {
		m    envoy.RouteMatch
		path string
		want bool
	}{
		{envoy.RouteMatch{Prefix: "/"}, "/", true},
		{envoy.RouteMatch{Prefix: "/api"}, "/apix", true},
		{envoy.RouteMatch{Prefix: "/api"}, "/", false},
		{envoy.RouteMatch{Path: "/a"}, "/a", true},
		{envoy.RouteMatch{Path: "/a"}, "/a/", false},
		{envoy.RouteMatch{Regex: "/a.*"}, "/abc", true},
		{envoy.RouteMatch{Regex: "/a"}, "/abc", false},
		{envoy.RouteMatch{Regex: "("}, "/", false},
		{envoy.RouteMatch{PathSeparatedPrefix: "/api"}, "/api/x", true},
		{envoy.RouteMatch{PathSeparatedPrefix: "/api"}, "/api", true},
		{envoy.RouteMatch{PathSeparatedPrefix: "/api"}, "/apix", false},
		{envoy.RouteMatch{Connect: true}, "/", false},
	}
	for _, tt := range tests {
		if got := pathMatches(tt.m, tt.path); got != tt.want {
			t.Errorf("pathMatches(%+v, %q) = %v, want %v", tt.m, tt.path, got, tt.want)
		}
	}
}

func TestWeightedClusters(t *testing.T) {
	in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-http"))
	in.Host, in.Port = "edition.cnn.com", 80
	// A VirtualService splitting 80/20 between the gateway subset and the host: istiod renders
	// it as weighted_clusters; gateway-http has no split, so the parsed route gets one.
	vh := cnnVirtualHost(t, &in)
	vh.Routes[0].Cluster = ""
	vh.Routes[0].WeightedClusters = []envoy.WeightedCluster{{Name: cnnCluster80, Weight: 20}, {Name: gwSubsetCluster, Weight: 80}}
	r := Run(in)
	if r.Verdict.Kind != ViaGateway {
		t.Errorf("Verdict = %+v, want via-gateway (the heaviest cluster)", r.Verdict)
	}
	h := hopOf(r, HopRoute)
	want := "also sent to " + cnnCluster80 + " (weight 20/100)"
	if !slices.ContainsFunc(h.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("route hop notes = %q, want one containing %q", h.Notes, want)
	}
}

func TestGatewayReplicas(t *testing.T) {
	const (
		stale       = "istio-system/istio-egressgateway-6d8c4b7f9-zq2mn"
		unreachable = "istio-system/istio-egressgateway-6d8c4b7f9-zr7vt"
	)
	tests := []struct {
		name   string
		extra  []string
		edit   func(d *envoy.Dump)
		want   map[string]string // proxy → substring of its EGR0605 message
		absent bool
	}{
		{name: "stale and unreachable replicas", extra: []string{"gateway-replica-zq2mn.yaml", "gateway-replica-zr7vt.yaml"},
			// The stale replica lacks the upstream cluster (dropped from its parsed dump), the
			// third replica has no dump at all.
			edit: func(d *envoy.Dump) {
				d.Clusters = slices.DeleteFunc(d.Clusters, func(c envoy.Cluster) bool { return c.Name == cnnCluster80 })
			},
			want: map[string]string{stale: "replicas disagree", unreachable: "has no config dump"}},
		{name: "identical replicas", extra: []string{"gateway-replica-zq2mn.yaml"}, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []string
			for _, e := range tt.extra {
				extra = append(extra, filepath.Join("testdata", "unit", e))
			}
			in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-http"), extra...)
			in.Host, in.Port = "edition.cnn.com", 80
			d := parseScenarioDump(t, "gateway-http", scenarioGateway)
			if tt.edit != nil {
				tt.edit(d)
			}
			in.Dumps[stale] = d
			r := Run(in)
			if r.Verdict.Kind != ViaGateway {
				t.Errorf("Verdict = %+v, want via-gateway through %s", r.Verdict, scenarioGateway)
			}
			got := map[string]string{}
			for _, f := range r.Findings {
				if f.Code == "EGR0605" {
					got[f.Proxy] = f.Message
					if f.Level != LevelWarning {
						t.Errorf("EGR0605 level = %s, want Warning", f.Level)
					}
				}
			}
			if tt.absent && len(got) > 0 {
				t.Errorf("EGR0605 findings = %v, want none", got)
			}
			for p, sub := range tt.want {
				if !strings.Contains(got[p], sub) {
					t.Errorf("EGR0605 for %s = %q, want it to contain %q (all: %v)", p, got[p], sub, got)
				}
			}
		})
	}
}
