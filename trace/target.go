package trace

import (
	"strconv"
	"strings"
)

// Port sources recorded in Target.PortSource.
const (
	sourceArgument     = "argument"
	sourceServiceEntry = "serviceentry"
	sourceService      = "service"
	sourceDefault      = "default"
)

// resolveTarget fills the port and protocol: the arguments win; else a ServiceEntry (or
// Service) with exactly one port decides; else 443, the port egress most often breaks on.
// The protocol is what the client sends: the --protocol hint (or URL scheme), else the
// declared port protocol (HTTP → http, HTTPS → https, TLS → tls, TCP → tcp), else what the
// client's sidecar listener on the port is (an HTTP listener → http), else http on 80 and
// 8080, https (TLS) on 443 and tcp elsewhere.
func (a *analysis) resolveTarget() Target {
	t := Target{Host: strings.ToLower(strings.TrimSuffix(a.in.Host, ".")), Port: a.in.Port, PortSource: sourceArgument}
	declared := a.declaredPorts(t.Host)
	if t.Port == 0 {
		t.Port, t.PortSource = 443, sourceDefault
		if len(declared) == 1 {
			for p, src := range declared {
				t.Port, t.PortSource = p, src.source
			}
		}
	}
	if a.in.Path != "" {
		t.Path = a.requestPath()
	}
	t.Protocol = strings.ToLower(a.in.Protocol)
	if t.Protocol == "" {
		t.Protocol = declaredProtocol(declared[t.Port].protocol)
	}
	if t.Protocol == "" {
		t.Protocol = a.listenerProtocol(t.Port)
	}
	if t.Protocol == "" {
		t.Protocol = defaultProtocol(t.Port)
	}
	return t
}

// listenerProtocol is "http" when the client's dump has an HTTP listener 0.0.0.0_<port>:
// istiod builds it for a port some Service or ServiceEntry declares HTTP, every filter
// chain an http_connection_manager with RDS "<port>" (pilot/pkg/networking/core/listener.go
// buildSidecarOutboundHTTPListenerOpts), so a request the client sends to another host on
// that port is handled as HTTP. "" when there is no dump, no such listener, or one of its
// filter chains is not HTTP (a TCP or TLS chain for another host on the port: the listener
// then takes TLS too and does not tell). The default chain, istiod's PassthroughCluster or
// BlackHoleCluster catch-all for what no chain matches, is no protocol.
func (a *analysis) listenerProtocol(port int) string {
	d := a.dump(a.in.Client)
	if d == nil {
		return ""
	}
	l := d.Listener("0.0.0.0_" + strconv.Itoa(port))
	if l == nil || len(l.FilterChains) == 0 {
		return ""
	}
	for i := range l.FilterChains {
		if l.FilterChains[i].HTTP() == nil {
			return ""
		}
	}
	return "http"
}

type declaredPort struct{ protocol, source string }

// declaredPorts lists the ports the host's ServiceEntries (or its Service) declare.
func (a *analysis) declaredPorts(host string) map[int]declaredPort {
	out := map[int]declaredPort{}
	for _, se := range a.snap.ServiceEntriesForHost(host) {
		if !anyHostMatches(se.Spec.GetHosts(), se.Namespace, host) {
			continue
		}
		for _, p := range se.Spec.GetPorts() {
			if _, ok := out[int(p.GetNumber())]; !ok {
				out[int(p.GetNumber())] = declaredPort{p.GetProtocol(), sourceServiceEntry}
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	if svc := serviceForHost(a.snap, host); svc != nil {
		for _, p := range svc.Spec.Ports {
			out[int(p.Port)] = declaredPort{servicePortProtocol(p.Name, p.AppProtocol), sourceService}
		}
	}
	return out
}

// servicePortProtocol applies Istio's protocol selection for Service ports.
func servicePortProtocol(name string, appProtocol *string) string {
	if appProtocol != nil {
		return strings.ToUpper(*appProtocol)
	}
	prefix, _, _ := strings.Cut(name, "-")
	return strings.ToUpper(prefix)
}

// declaredProtocol maps a declared Istio port protocol to what the client sends; "" when
// it says nothing (no or an unknown protocol).
func declaredProtocol(declared string) string {
	switch {
	case isHTTPProtocol(declared):
		return "http"
	case strings.EqualFold(declared, "HTTPS"):
		return "https"
	case strings.EqualFold(declared, "TLS"):
		return "tls"
	case strings.EqualFold(declared, "TCP"), strings.EqualFold(declared, "MONGO"), strings.EqualFold(declared, "MYSQL"):
		return "tcp"
	}
	return ""
}

// defaultProtocol is the guess for a port nothing declares: http on 80 and 8080, https
// (TLS) on 443, tcp elsewhere.
func defaultProtocol(port int) string {
	switch port {
	case 80, 8080:
		return "http"
	case 443:
		return "https"
	}
	return "tcp"
}

// sendsTLS reports whether the client itself speaks TLS on the target port.
func (t Target) sendsTLS() bool { return t.Protocol == "https" || t.Protocol == "tls" }

// protocolFor is what the client sends on port by the declared protocol alone.
func protocolFor(declared string, port int) string {
	if p := declaredProtocol(declared); p != "" {
		return p
	}
	return defaultProtocol(port)
}
