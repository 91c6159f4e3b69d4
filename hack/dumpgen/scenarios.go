package main

import "strings"

// scenario is one Istio docs egress task (or a deliberately broken variant of one).
type scenario struct {
	Name     string
	DocTask  string // Istio docs task (path under content/en/docs/tasks/traffic-management/egress/)
	Broken   string // what is deliberately broken, empty if nothing
	Verdict  string // expected verdict in one line
	Mode     string // outboundTrafficPolicy.mode
	Istio    string // Istio objects (networking.istio.io/v1), all namespaced
	External bool   // include the mesh-external my-nginx Service/Deployment from the docs
	// NginxHidden keeps the docs' exportTo "." annotation on the my-nginx Service.
	NginxHidden bool
	// SecretNS is the namespace of the client-credential Secret ("" = none).
	SecretNS string
	// Gateway: also dump the egress gateway pod.
	Gateway bool
	// WarmingSecret: post-generation edit: report kubernetes://client-credential (and the clusters
	// that need it) as warming, as Envoy does while SDS has not delivered the secret.
	WarmingSecret bool
	Notes         string
}

func docs(p string) string {
	return "https://istio.io/latest/docs/tasks/traffic-management/egress/" + p + "/ (" +
		"content/en/docs/tasks/traffic-management/egress/" + p + "/index.md)"
}

const seCNN8080443 = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: edition-cnn-com
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
  - number: 443
    name: https-port
    protocol: HTTPS
  resolution: DNS
`

const seHTTPBin = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: httpbin-ext
  namespace: default
spec:
  hosts:
  - httpbin.org
  ports:
  - number: 80
    name: http
    protocol: HTTP
  resolution: DNS
  location: MESH_EXTERNAL
`

const vsHTTPBinTimeout = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin-ext
  namespace: default
spec:
  hosts:
  - httpbin.org
  http:
  - timeout: 3s
    route:
    - destination:
        host: httpbin.org
      weight: 100
`

const sidecarTLSOrigination = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: edition-cnn-com
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
    targetPort: 443
  - number: 443
    name: https-port
    protocol: HTTPS
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: edition-cnn-com
  namespace: default
spec:
  host: edition.cnn.com
  trafficPolicy:
    portLevelSettings:
    - port:
        number: 80
      tls:
        mode: SIMPLE # initiates HTTPS when accessing edition.cnn.com
`

const seNginxSidecar = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: originate-mtls-for-nginx
  namespace: default
spec:
  hosts:
  - my-nginx.mesh-external.svc.cluster.local
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
    targetPort: 443
  - number: 443
    name: https-port
    protocol: HTTPS
  resolution: DNS
`

const drNginxSidecar = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: originate-mtls-for-nginx
  namespace: default
spec:
  workloadSelector:
    matchLabels:
      app: sleep
  host: my-nginx.mesh-external.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
    portLevelSettings:
    - port:
        number: 80
      tls:
        mode: MUTUAL
        credentialName: client-credential # this must match the secret created earlier to hold client certs, and works only when DR has a workloadSelector
        sni: my-nginx.mesh-external.svc.cluster.local
`

const seCNNGateway = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: cnn
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 80
    name: http-port
    protocol: HTTP
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
`

const gwHTTP = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 80
      name: http
      protocol: HTTP
    hosts:
    - edition.cnn.com
`

const drSubsetCNN = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-cnn
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: cnn
`

const vsCNNHTTP = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-cnn-through-egress-gateway
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  gateways:
  - istio-egressgateway
  - mesh
  http:
  - match:
    - gateways:
      - mesh
      port: 80
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: cnn
        port:
          number: 80
      weight: 100
  - match:
    - gateways:
      - istio-egressgateway
      port: 80
    route:
    - destination:
        host: edition.cnn.com
        port:
          number: 80
      weight: 100
`

const gatewayTLSPassthrough = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: cnn
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 443
    name: tls
    protocol: TLS
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 443
      name: tls
      protocol: TLS
    hosts:
    - edition.cnn.com
    tls:
      mode: PASSTHROUGH
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-cnn
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: cnn
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-cnn-through-egress-gateway
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  gateways:
  - mesh
  - istio-egressgateway
  tls:
  - match:
    - gateways:
      - mesh
      port: 443
      sniHosts:
      - edition.cnn.com
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: cnn
        port:
          number: 443
  - match:
    - gateways:
      - istio-egressgateway
      port: 443
      sniHosts:
      - edition.cnn.com
    route:
    - destination:
        host: edition.cnn.com
        port:
          number: 443
      weight: 100
`

const gatewayTLSOrigination = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: cnn
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  ports:
  - number: 80
    name: http
    protocol: HTTP
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 80
      name: https-port-for-tls-origination
      protocol: HTTPS
    hosts:
    - edition.cnn.com
    tls:
      mode: ISTIO_MUTUAL
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-cnn
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: cnn
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
      portLevelSettings:
      - port:
          number: 80
        tls:
          mode: ISTIO_MUTUAL
          sni: edition.cnn.com
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-cnn-through-egress-gateway
  namespace: default
spec:
  hosts:
  - edition.cnn.com
  gateways:
  - istio-egressgateway
  - mesh
  http:
  - match:
    - gateways:
      - mesh
      port: 80
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: cnn
        port:
          number: 80
      weight: 100
  - match:
    - gateways:
      - istio-egressgateway
      port: 80
    route:
    - destination:
        host: edition.cnn.com
        port:
          number: 443
      weight: 100
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: originate-tls-for-edition-cnn-com
  namespace: default
spec:
  host: edition.cnn.com
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
    portLevelSettings:
    - port:
        number: 443
      tls:
        mode: SIMPLE # initiates HTTPS for connections to edition.cnn.com
`

const gatewayMTLSOrigination = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
    - my-nginx.mesh-external.svc.cluster.local
    tls:
      mode: ISTIO_MUTUAL
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-nginx
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
  - name: nginx
    trafficPolicy:
      loadBalancer:
        simple: ROUND_ROBIN
      portLevelSettings:
      - port:
          number: 443
        tls:
          mode: ISTIO_MUTUAL
          sni: my-nginx.mesh-external.svc.cluster.local
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-nginx-through-egress-gateway
  namespace: default
spec:
  hosts:
  - my-nginx.mesh-external.svc.cluster.local
  gateways:
  - istio-egressgateway
  - mesh
  http:
  - match:
    - gateways:
      - mesh
      port: 80
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: nginx
        port:
          number: 443
      weight: 100
  - match:
    - gateways:
      - istio-egressgateway
      port: 443
    route:
    - destination:
        host: my-nginx.mesh-external.svc.cluster.local
        port:
          number: 443
      weight: 100
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: originate-mtls-for-nginx
  namespace: istio-system
spec:
  host: my-nginx.mesh-external.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
    portLevelSettings:
    - port:
        number: 443
      tls:
        mode: MUTUAL
        credentialName: client-credential # this must match the secret created earlier to hold client certs
        sni: my-nginx.mesh-external.svc.cluster.local
`

const gatewayWildcard = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: istio-egressgateway
  namespace: default
spec:
  selector:
    istio: egressgateway
  servers:
  - port:
      number: 443
      name: https
      protocol: HTTPS
    hosts:
    - "*.wikipedia.org"
    tls:
      mode: PASSTHROUGH
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: egressgateway-for-wikipedia
  namespace: default
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
  subsets:
    - name: wikipedia
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: direct-wikipedia-through-egress-gateway
  namespace: default
spec:
  hosts:
  - "*.wikipedia.org"
  gateways:
  - mesh
  - istio-egressgateway
  tls:
  - match:
    - gateways:
      - mesh
      port: 443
      sniHosts:
      - "*.wikipedia.org"
    route:
    - destination:
        host: istio-egressgateway.istio-system.svc.cluster.local
        subset: wikipedia
        port:
          number: 443
      weight: 100
  - match:
    - gateways:
      - istio-egressgateway
      port: 443
      sniHosts:
      - "*.wikipedia.org"
    route:
    - destination:
        host: www.wikipedia.org
        port:
          number: 443
      weight: 100
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: www-wikipedia
  namespace: default
spec:
  hosts:
  - www.wikipedia.org
  ports:
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
`

const nginxNote = "Deviation from the docs: the my-nginx Service in mesh-external is created without the docs' " +
	"`networking.istio.io/exportTo: \".\"` annotation. With it, istiod (this version) hides the Service from the egress " +
	"gateway's namespace and the gateway gets no outbound|443||my-nginx.mesh-external.svc.cluster.local cluster (503 NC)."

func join(docs ...string) string {
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, strings.TrimSuffix(d, "\n")+"\n")
	}
	return strings.Join(out, "---\n")
}

func scenarios() []scenario {
	gatewayHTTP := join(seCNNGateway, gwHTTP, drSubsetCNN, vsCNNHTTP)
	return []scenario{
		{
			Name:    "allow-any",
			DocTask: docs("egress-control") + `, section "Envoy passthrough to external services"`,
			Verdict: "reaches edition.cnn.com (80 and 443) directly from the sidecar via PassthroughCluster (ALLOW_ANY, no ServiceEntry, no egress gateway)",
			Mode:    "ALLOW_ANY",
		},
		{
			Name:    "registry-only-with-se",
			DocTask: docs("egress-control") + ` + ` + docs("egress-tls-origination") + ` (ServiceEntry edition-cnn-com, ports 80 http / 443 https)`,
			Verdict: "reaches edition.cnn.com:80 via outbound|80||edition.cnn.com and edition.cnn.com:443 via outbound|443||edition.cnn.com directly from the sidecar (REGISTRY_ONLY, allowed by the ServiceEntry)",
			Mode:    "REGISTRY_ONLY",
			Istio:   seCNN8080443,
		},
		{
			Name:    "vs-timeout",
			DocTask: docs("egress-control") + `, section "Manage traffic to external services" (ServiceEntry httpbin-ext + VirtualService timeout 3s)`,
			Verdict: "reaches httpbin.org:80 via outbound|80||httpbin.org directly from the sidecar, route timeout 3s from VirtualService default/httpbin-ext",
			Mode:    "REGISTRY_ONLY",
			Istio:   join(seHTTPBin, vsHTTPBinTimeout),
		},
		{
			Name:    "sidecar-tls-origination",
			DocTask: docs("egress-tls-origination") + `, section "TLS origination for egress traffic"`,
			Verdict: "reaches edition.cnn.com:443 directly from the sidecar; plain HTTP to port 80 is sent to outbound|80||edition.cnn.com with TLS originated at the sidecar (DestinationRule edition-cnn-com, SIMPLE, targetPort 443)",
			Mode:    "ALLOW_ANY",
			Istio:   sidecarTLSOrigination,
		},
		{
			Name:     "sidecar-mtls-origination",
			DocTask:  docs("egress-tls-origination") + `, section "Mutual TLS origination for egress traffic"`,
			Verdict:  "reaches my-nginx.mesh-external.svc.cluster.local:443 directly from the sidecar; HTTP to port 80 gets mutual TLS originated at the sidecar with SDS secret kubernetes://client-credential (Secret default/client-credential, DR has workloadSelector app=sleep)",
			Mode:     "ALLOW_ANY",
			Istio:    join(seNginxSidecar, drNginxSidecar),
			External: true, NginxHidden: true,
			SecretNS: "default",
		},
		{
			Name:    "gateway-http",
			DocTask: docs("egress-gateway") + `, section "Egress gateway for HTTP traffic"`,
			Verdict: "reaches edition.cnn.com:80 via istio-egressgateway (sidecar route 80 -> outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local; gateway listener 0.0.0.0_8080 route http.8080 -> outbound|80||edition.cnn.com), plain HTTP end to end",
			Mode:    "ALLOW_ANY",
			Istio:   gatewayHTTP,
			Gateway: true,
		},
		{
			Name:    "gateway-tls-passthrough",
			DocTask: docs("egress-gateway") + `, section "Egress gateway for HTTPS traffic"`,
			Verdict: "reaches edition.cnn.com:443 via istio-egressgateway with TLS passthrough (sidecar SNI chain edition.cnn.com -> outbound|443|cnn|istio-egressgateway...; gateway 0.0.0.0_8443 SNI chain -> outbound|443||edition.cnn.com)",
			Mode:    "ALLOW_ANY",
			Istio:   gatewayTLSPassthrough,
			Gateway: true,
		},
		{
			Name:    "gateway-tls-origination",
			DocTask: docs("egress-gateway-tls-origination") + `, section "Perform TLS origination with an egress gateway"`,
			Verdict: "reaches edition.cnn.com:443 via istio-egressgateway, ISTIO_MUTUAL sidecar -> gateway (SNI edition.cnn.com), TLS originated at the gateway (DestinationRule originate-tls-for-edition-cnn-com, SIMPLE)",
			Mode:    "ALLOW_ANY",
			Istio:   gatewayTLSOrigination,
			Gateway: true,
		},
		{
			Name:     "gateway-mtls-origination",
			DocTask:  docs("egress-gateway-tls-origination") + `, section "Perform mutual TLS origination with an egress gateway"`,
			Verdict:  "reaches my-nginx.mesh-external.svc.cluster.local:443 via istio-egressgateway, ISTIO_MUTUAL sidecar -> gateway, mutual TLS originated at the gateway with SDS secret kubernetes://client-credential (Secret istio-system/client-credential)",
			Mode:     "ALLOW_ANY",
			Istio:    gatewayMTLSOrigination,
			External: true,
			SecretNS: "istio-system",
			Gateway:  true,
			Notes:    nginxNote,
		},
		{
			Name:    "gateway-wildcard",
			DocTask: docs("wildcard-egress-hosts") + `, section "Configure egress gateway traffic to a wildcard host" (Istio APIs)`,
			Verdict: "reaches *.wikipedia.org:443 via istio-egressgateway with TLS passthrough; the gateway forwards every *.wikipedia.org SNI to outbound|443||www.wikipedia.org",
			Mode:    "ALLOW_ANY",
			Istio:   gatewayWildcard,
			Gateway: true,
		},
		// Broken variants.
		{
			Name:    "broken-registry-only-no-se",
			DocTask: docs("egress-control") + `, section "Change to the blocking-by-default policy" (before any ServiceEntry)`,
			Broken:  "REGISTRY_ONLY with no ServiceEntry for edition.cnn.com",
			Verdict: "blocked: http://edition.cnn.com gets 502 from route 80 virtual host block_all; https://edition.cnn.com:443 ends in BlackHoleCluster (class A1)",
			Mode:    "REGISTRY_ONLY",
		},
		{
			Name:    "broken-vs-missing-mesh",
			DocTask: docs("egress-gateway") + `, section "Egress gateway for HTTP traffic"`,
			Broken:  "VirtualService direct-cnn-through-egress-gateway lists only the Gateway in spec.gateways, not `mesh`",
			Verdict: "bypasses the egress gateway: the sidecar sends edition.cnn.com:80 straight to outbound|80||edition.cnn.com because the VirtualService does not apply to sidecars (class B11/B10)",
			Mode:    "ALLOW_ANY",
			Istio: join(seCNNGateway, gwHTTP, drSubsetCNN,
				strings.Replace(vsCNNHTTP, "  gateways:\n  - istio-egressgateway\n  - mesh\n", "  gateways:\n  - istio-egressgateway\n", 1)),
			Gateway: true,
		},
		{
			Name:    "broken-dr-subset-missing",
			DocTask: docs("egress-gateway") + `, section "Egress gateway for HTTP traffic"`,
			Broken:  "DestinationRule egressgateway-for-cnn (subset cnn) is missing",
			Verdict: "fails at the sidecar: route 80 names outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local, which the sidecar has no cluster for (503 NC, class C18)",
			Mode:    "ALLOW_ANY",
			Istio:   join(seCNNGateway, gwHTTP, vsCNNHTTP),
			Gateway: true,
		},
		{
			Name:          "broken-credential-secret-missing",
			DocTask:       docs("egress-gateway-tls-origination") + `, section "Perform mutual TLS origination with an egress gateway"`,
			Broken:        "Secret istio-system/client-credential does not exist",
			Verdict:       "fails at the egress gateway: SDS secret kubernetes://client-credential never arrives, so it stays warming and outbound|443||my-nginx.mesh-external.svc.cluster.local stays in dynamic_warming_clusters (class D24)",
			Mode:          "ALLOW_ANY",
			Istio:         gatewayMTLSOrigination,
			External:      true,
			Gateway:       true,
			WarmingSecret: true,
			Notes:         nginxNote,
		},
		{
			Name:    "broken-exportto-hides-se",
			DocTask: docs("egress-gateway") + `, section "Egress gateway for HTTP traffic"`,
			Broken:  "ServiceEntry default/cnn has exportTo: [\".\"], so the egress gateway in istio-system cannot see edition.cnn.com",
			Verdict: "fails at the egress gateway: its route for edition.cnn.com has no cluster outbound|80||edition.cnn.com (503 NC, class C17)",
			Mode:    "ALLOW_ANY",
			Istio: join(strings.Replace(seCNNGateway, "spec:\n", "spec:\n  exportTo:\n  - \".\"\n", 1),
				gwHTTP, drSubsetCNN, vsCNNHTTP),
			Gateway: true,
		},
		{
			Name:    "broken-http-se-on-443",
			DocTask: docs("egress-control") + ` (ServiceEntry google, port 443 HTTPS) with a second ServiceEntry that declares port 443 as HTTP`,
			Broken:  "ServiceEntry httpbin-443 declares port 443 with protocol HTTP next to ServiceEntry google (www.google.com:443 HTTPS)",
			Verdict: "https://httpbin.org (TLS on 443) is dropped: ServiceEntry httpbin-443 puts a plaintext HTTP chain (raw_buffer, route 443) on 0.0.0.0_443 and TLS with SNI httpbin.org matches no chain, so it falls to the BlackHoleCluster default chain; www.google.com:443 still reaches outbound|443||www.google.com via its SNI chain (class A2)",
			Mode:    "REGISTRY_ONLY",
			Istio: `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: google
  namespace: default
spec:
  hosts:
  - www.google.com
  ports:
  - number: 443
    name: https
    protocol: HTTPS
  resolution: DNS
  location: MESH_EXTERNAL
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: httpbin-443
  namespace: default
spec:
  hosts:
  - httpbin.org
  ports:
  - number: 443
    name: http
    protocol: HTTP
  resolution: DNS
  location: MESH_EXTERNAL
`,
		},
		{
			Name:     "broken-dr-credential-no-workloadselector",
			DocTask:  docs("egress-tls-origination") + `, section "Mutual TLS origination for egress traffic"`,
			Broken:   "DestinationRule originate-mtls-for-nginx has credentialName client-credential but no workloadSelector, so the sidecar ignores the credential",
			Verdict:  "fails at the sidecar: outbound|80||my-nginx.mesh-external.svc.cluster.local has no transport_socket, so HTTP to port 80 goes out as plaintext to port 443 (credentialName ignored on a sidecar DestinationRule without workloadSelector; upstream answers 400 plain HTTP request was sent to HTTPS port, class D23)",
			Mode:     "ALLOW_ANY",
			Istio:    join(seNginxSidecar, strings.Replace(drNginxSidecar, "  workloadSelector:\n    matchLabels:\n      app: sleep\n", "", 1)),
			External: true, NginxHidden: true,
			SecretNS: "default",
		},
	}
}
