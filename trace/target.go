package trace

import (
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
// The protocol is what the client sends: the --protocol hint, else the declared port
// protocol (HTTP → http, HTTPS → https, TLS → tls, TCP → tcp), else http on 80 and
// https elsewhere.
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
		t.Protocol = protocolFor(declared[t.Port].protocol, t.Port)
	}
	return t
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

func protocolFor(declared string, port int) string {
	switch {
	case isHTTPProtocol(declared):
		return "http"
	case strings.EqualFold(declared, "HTTPS"):
		return "https"
	case strings.EqualFold(declared, "TLS"):
		return "tls"
	case strings.EqualFold(declared, "TCP"), strings.EqualFold(declared, "MONGO"), strings.EqualFold(declared, "MYSQL"):
		return "tcp"
	case port == 80 || port == 8080:
		return "http"
	}
	return "https"
}

// sendsTLS reports whether the client itself speaks TLS on the target port.
func (t Target) sendsTLS() bool { return t.Protocol == "https" || t.Protocol == "tls" }
