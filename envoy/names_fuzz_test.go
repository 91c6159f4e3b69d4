package envoy

import (
	"strings"
	"testing"
)

// Names seen in the fixtures; the fuzzers below start from them.
var nameSeeds = []string{
	"outbound|443|cnn|istio-egressgateway.istio-system.svc.cluster.local",
	"outbound|443||edition.cnn.com",
	"inbound|8080||",
	"inbound-vip|80|http|x.default.svc.cluster.local",
	"outbound_.443_._.edition.cnn.com",
	"PassthroughCluster",
	"outbound|-0||x",
	"outbound|+80||x",
	"",
}

// FuzzParseClusterName: never panics, and a parsed name renders back to its input.
func FuzzParseClusterName(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, ok := ParseClusterName(name)
		if !ok {
			if c != (ClusterName{}) {
				t.Fatalf("ParseClusterName(%q) = %v, false: want the zero value", name, c)
			}
			return
		}
		if c.Port < 0 || c.Port > 65535 {
			t.Fatalf("ParseClusterName(%q) port = %d, want 0..65535", name, c.Port)
		}
		back, ok := ParseClusterName(c.String())
		if !ok || back != c {
			t.Fatalf("ParseClusterName(%q).String() = %q reparses as %v, %v; want %v", name, c.String(), back, ok, c)
		}
	})
}

// FuzzParseConfigRef: never panics; a parsed link keeps the link and names an object.
func FuzzParseConfigRef(f *testing.F) {
	for _, s := range []string{
		"/apis/networking.istio.io/v1/namespaces/istio-system/destination-rule/originate-mtls",
		"/apis/networking.istio.io/v1/service-entry/cnn",
		"apis//v1/namespaces//x/",
		"/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		ref, ok := ParseConfigRef(link)
		if ok && ref.Link != link {
			t.Fatalf("ParseConfigRef(%q).Link = %q, want the input", link, ref.Link)
		}
		if !ok && ref != (ConfigRef{}) {
			t.Fatalf("ParseConfigRef(%q) = %+v, false: want the zero value", link, ref)
		}
	})
}

// FuzzParseNodeID: never panics; a parsed id has its four parts back.
func FuzzParseNodeID(f *testing.F) {
	for _, s := range []string{
		"sidecar~10.244.0.7~sleep-7b9f8d5c4-abcde.default~default.svc.cluster.local",
		"router~10.244.0.9~istio-egressgateway-6d8c4b7f9-xk2lp.istio-system~istio-system.svc.cluster.local",
		"~~~", "sidecar~ip~nodot~d", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		n, ok := ParseNodeID(id)
		if n.ID != id {
			t.Fatalf("ParseNodeID(%q).ID = %q, want the input", id, n.ID)
		}
		if ok && strings.Count(id, "~") != 3 {
			t.Fatalf("ParseNodeID(%q) ok with %d separators", id, strings.Count(id, "~"))
		}
	})
}
