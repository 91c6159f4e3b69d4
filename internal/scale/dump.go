package scale

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// TemplateDump is the istiod-generated dump the scaled dumps copy (see hack/dumpgen); its
// pod traces edition.cnn.com:80 through the egress gateway in that scenario.
const TemplateDump = "testdata/scenarios/gateway-tls-origination/dumps/default/sleep-7b4c9d8f6-abcde.json"

// Template resources each replica copies, and the strings in them made distinct per replica.
const (
	tplHTTPCluster = "outbound|80||sleep.default.svc.cluster.local"
	tplTLSCluster  = "outbound|443||edition.cnn.com"
	tplListener    = "10.96.20.20_443"
	tplVHost       = "sleep.default.svc.cluster.local:80"
	tplRoute       = "80"
)

// replica is one generated service: svc-N in namespace ns-(N%100) with VIP ip.
type replica struct{ host, short, ns, ip string }

func newReplica(n int) replica {
	ns := "ns-" + strconv.Itoa(n%100)
	short := "svc-" + strconv.Itoa(n)
	ip := fmt.Sprintf("10.%d.%d.%d", 100+n>>16, n>>8&255, n&255)
	return replica{host: short + "." + ns + ".svc.cluster.local", short: short, ns: ns, ip: ip}
}

// templates are the compact JSON of the copied resources.
type templates struct {
	httpCluster, tlsCluster, listener, vhost []byte
	// httpEntry and tlsEntry are the clusters' dynamic_active_clusters entries with the
	// cluster replaced by clusterSlot.
	httpEntry, tlsEntry []byte
}

const clusterSlot = `"@@cluster@@"`

// ScaleDump returns template (an indented /config_dump) grown to about target bytes: each
// replica adds, with distinct names, an EDS cluster outbound|80||svc-N.ns-M.svc.cluster.local
// (a copy of the sleep service's), a TLS cluster outbound|443||svc-N... (a copy of
// edition.cnn.com's), a VIP listener <ip>_443 (a copy of 10.96.20.20_443) and a virtual
// host in route config "80". Every original resource stays, so a trace of the template's
// host reads the same resources. It returns the number of replicas added.
func ScaleDump(template []byte, target int) ([]byte, int, error) {
	base, err := scaleN(template, 0)
	if err != nil {
		return nil, 0, err
	}
	one, err := scaleN(template, 1)
	if err != nil {
		return nil, 0, err
	}
	n := max(0, (target-len(base))/max(1, len(one)-len(base)))
	out, err := scaleN(template, n)
	return out, n, err
}

// scaleN returns template with n replicas, indented as istiod and Envoy write dumps.
func scaleN(template []byte, n int) ([]byte, error) {
	var top struct {
		Configs []map[string]json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(template, &top); err != nil {
		return nil, fmt.Errorf("read template dump: %w", err)
	}
	tpl, err := findTemplates(top.Configs)
	if err != nil {
		return nil, err
	}
	if err := grow(top.Configs, tpl, n); err != nil {
		return nil, err
	}
	out, err := marshal(top)
	if err != nil {
		return nil, err
	}
	var indented bytes.Buffer
	indented.Grow(len(out) * 3 / 2)
	if err := json.Indent(&indented, out, "", "  "); err != nil {
		return nil, err
	}
	return append(indented.Bytes(), '\n'), nil
}

func (t templates) cluster80(r replica) []byte {
	b := bytes.ReplaceAll(t.httpCluster, []byte("sleep.default.svc.cluster.local"), []byte(r.host))
	b = bytes.ReplaceAll(b, []byte(`"name":"sleep"`), []byte(`"name":"`+r.short+`"`))
	return bytes.ReplaceAll(b, []byte(`"namespace":"default"`), []byte(`"namespace":"`+r.ns+`"`))
}

func (t templates) cluster443(r replica) []byte {
	b := bytes.ReplaceAll(t.tlsCluster, []byte("edition.cnn.com"), []byte(r.host))
	return bytes.ReplaceAll(b, []byte("edition-cnn-com"), []byte(r.short+"-"+r.ns))
}

func (t templates) listenerFor(r replica) []byte {
	b := bytes.ReplaceAll(t.listener, []byte("10.96.20.20"), []byte(r.ip))
	return bytes.ReplaceAll(b, []byte("istio-egressgateway.istio-system.svc.cluster.local"), []byte(r.host))
}

func (t templates) vhostFor(r replica) []byte {
	b := bytes.ReplaceAll(t.vhost, []byte("sleep.default.svc.cluster.local"), []byte(r.host))
	for _, s := range [][2]string{{`"sleep.default.svc"`, r.short + "." + r.ns + ".svc"}, {`"sleep.default"`, r.short + "." + r.ns}, {`"sleep"`, r.short}, {"10.96.10.10", r.ip}} {
		to := s[1]
		if s[0][0] == '"' {
			to = `"` + to + `"`
		}
		b = bytes.ReplaceAll(b, []byte(s[0]), []byte(to))
	}
	return b
}
