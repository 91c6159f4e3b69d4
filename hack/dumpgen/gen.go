package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"time"

	admin "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	meshconfig "istio.io/api/mesh/v1alpha1"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	xdsfake "istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/bootstrap"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/security"
	"istio.io/istio/pkg/test"
)

// Fixed values so that dumps are byte-identical across runs.
var (
	fixedTime    = timestamppb.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	fixedVersion = "2026-01-01T00:00:00Z/1"
)

const identityHeader = "x-dumpgen-identity"

// headerAuthenticator gives each ADS stream the SPIFFE identity the (trusted, in-process) client
// put in its metadata: a per-stream stand-in for istiod's mTLS/JWT authentication, so that istiod
// sets the proxy's VerifiedIdentity and serves credentialName secrets.
type headerAuthenticator struct{}

func (headerAuthenticator) AuthenticatorType() string { return "DumpgenHeaderAuthenticator" }

func (headerAuthenticator) Authenticate(ctx security.AuthContext) (*security.Caller, error) {
	ids := ctx.Header(identityHeader)
	if len(ids) == 0 {
		return nil, fmt.Errorf("no %s header", identityHeader)
	}
	return &security.Caller{AuthSource: security.AuthSourceClientCertificate, Identities: ids}, nil
}

type generated struct {
	Path string // relative to the scenario dir
	Data []byte
}

// generateScenario runs istiod's config generation for s and returns the dumps.
func generateScenario(s scenario, certs *certBundle, templatePath string) ([]generated, error) {
	meshCfg, err := mesh.ApplyMeshConfigDefaults(meshConfigData(s.Mode))
	if err != nil {
		return nil, fmt.Errorf("mesh config: %w", err)
	}
	kubeObjs := kubeObjectsForIstiod(s, certs)

	var out []generated
	var genErr error
	err = test.Wrap(func(t test.Failer) {
		fake := xdsfake.NewFakeDiscoveryServer(t, xdsfake.FakeOptions{
			KubernetesObjectString:     kubeObjs,
			ConfigString:               s.Istio,
			MeshConfig:                 meshCfg,
			DisableSecretAuthorization: true,
		})
		fake.Discovery.Authenticators = []security.Authenticator{headerAuthenticator{}}

		proxies := []proxyIdentity{sleepProxy}
		if s.Gateway {
			proxies = append(proxies, gatewayProxy)
		}
		for _, p := range proxies {
			data, err := dumpProxy(fake, p, meshCfg, templatePath, s)
			if err != nil {
				genErr = fmt.Errorf("%s/%s: %w", p.Namespace, p.Pod, err)
				return
			}
			out = append(out, generated{Path: fmt.Sprintf("dumps/%s/%s.json", p.Namespace, p.Pod), Data: data})
		}
	})
	if err != nil {
		return nil, err
	}
	if genErr != nil {
		return nil, genErr
	}
	return out, nil
}

// kubeObjectsForIstiod is the Kubernetes YAML istiod sees: the manifests, but with the real
// (in-memory) private key in the Secret.
func kubeObjectsForIstiod(s scenario, certs *certBundle) string {
	docs := []string{namespacesYAML(extraNamespaces(s)), meshConfigYAML(s.Mode), sleepYAML(), egressGatewayYAML()}
	if s.External {
		docs = append(docs, meshExternalNginxYAML(s.NginxHidden))
	}
	if s.SecretNS != "" {
		docs = append(docs, clientCredentialSecretYAML(s.SecretNS, certs, certs.ClientKeyPEM, ""))
	}
	return join(docs...)
}

func extraNamespaces(s scenario) []string {
	if s.External {
		return []string{"mesh-external"}
	}
	return nil
}

func buildBootstrap(p proxyIdentity, meshCfg *meshconfig.MeshConfig, templatePath string) (*bootstrapv3.Bootstrap, error) {
	envs := []string{}
	for _, e := range p.env() {
		envs = append(envs, e.Name+"="+e.Value)
	}
	pc := proto.Clone(meshCfg.GetDefaultConfig()).(*meshconfig.ProxyConfig)
	node, err := bootstrap.GetNodeMetaData(bootstrap.MetadataOptions{
		ID:                  p.NodeID(),
		Envs:                envs,
		InstanceIPs:         []string{p.IP},
		ProxyConfig:         pc,
		PilotSubjectAltName: []string{"istiod.istio-system.svc"},
		XDSRootCert:         "/var/run/secrets/istio/root-cert.pem",
		EnvoyStatusPort:     15021,
		EnvoyPrometheusPort: 15090,
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := bootstrap.New(bootstrap.Config{Node: node}).WriteTo(templatePath, &buf); err != nil {
		return nil, fmt.Errorf("bootstrap template: %w", err)
	}
	bs := &bootstrapv3.Bootstrap{}
	if err := protojson.Unmarshal(buf.Bytes(), bs); err != nil {
		return nil, fmt.Errorf("parse bootstrap: %w", err)
	}
	bs.Node.UserAgentName = "envoy"
	return bs, nil
}

type adsClient struct {
	stream discovery.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	node   *core.Node
	first  bool
	resp   chan *discovery.DiscoveryResponse
	errc   chan error
}

func connectADS(fake *xdsfake.FakeDiscoveryServer, p proxyIdentity, node *core.Node) (*adsClient, func(), error) {
	identity := fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", p.Namespace, p.SA)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) {
			return fake.BufListener.Dial()
		}))
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(metadata.AppendToOutgoingContext(context.Background(), identityHeader, identity))
	stream, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		cancel()
		_ = conn.Close()
		return nil, nil, err
	}
	c := &adsClient{stream: stream, node: node, first: true, resp: make(chan *discovery.DiscoveryResponse, 64), errc: make(chan error, 1)}
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				c.errc <- err
				return
			}
			c.resp <- r
		}
	}()
	return c, func() { cancel(); _ = conn.Close() }, nil
}

// request sends a request for typeURL and waits for the response of that type (ACKing it).
// A nil response with nil error means istiod sent nothing within the timeout.
func (c *adsClient) request(typeURL string, names []string, timeout time.Duration) (*discovery.DiscoveryResponse, error) {
	req := &discovery.DiscoveryRequest{TypeUrl: typeURL, ResourceNames: names}
	if c.first {
		req.Node = c.node
		c.first = false
	}
	if err := c.stream.Send(req); err != nil {
		return nil, err
	}
	deadline := time.After(timeout)
	for {
		select {
		case r := <-c.resp:
			// ACK everything so istiod does not resend.
			_ = c.stream.Send(&discovery.DiscoveryRequest{TypeUrl: r.TypeUrl, VersionInfo: r.VersionInfo, ResponseNonce: r.Nonce, ResourceNames: namesFor(r.TypeUrl, typeURL, names)})
			if r.TypeUrl == typeURL {
				return r, nil
			}
		case err := <-c.errc:
			return nil, err
		case <-deadline:
			return nil, nil
		}
	}
}

func namesFor(got, want string, names []string) []string {
	if got == want {
		return names
	}
	return nil
}

func dumpProxy(fake *xdsfake.FakeDiscoveryServer, p proxyIdentity, meshCfg *meshconfig.MeshConfig, templatePath string, s scenario) ([]byte, error) {
	bs, err := buildBootstrap(p, meshCfg, templatePath)
	if err != nil {
		return nil, err
	}
	c, closeFn, err := connectADS(fake, p, bs.Node)
	if err != nil {
		return nil, err
	}
	defer closeFn()

	cdsResp, err := c.request(v3.ClusterType, nil, 10*time.Second)
	if err != nil || cdsResp == nil {
		return nil, fmt.Errorf("CDS: no response (%v)", err)
	}
	ldsResp, err := c.request(v3.ListenerType, nil, 10*time.Second)
	if err != nil || ldsResp == nil {
		return nil, fmt.Errorf("LDS: no response (%v)", err)
	}
	clusters := make([]*cluster.Cluster, 0, len(cdsResp.Resources))
	for _, r := range cdsResp.Resources {
		cl := &cluster.Cluster{}
		if err := r.UnmarshalTo(cl); err != nil {
			return nil, err
		}
		clusters = append(clusters, cl)
	}
	listeners := make([]*listener.Listener, 0, len(ldsResp.Resources))
	for _, r := range ldsResp.Resources {
		l := &listener.Listener{}
		if err := r.UnmarshalTo(l); err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
	}
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	sort.Slice(listeners, func(i, j int) bool { return listeners[i].Name < listeners[j].Name })

	routeNames := rdsNames(listeners)
	var routes []*route.RouteConfiguration
	if len(routeNames) > 0 {
		rdsResp, err := c.request(v3.RouteType, routeNames, 10*time.Second)
		if err != nil || rdsResp == nil {
			return nil, fmt.Errorf("RDS: no response (%v)", err)
		}
		for _, r := range rdsResp.Resources {
			rc := &route.RouteConfiguration{}
			if err := r.UnmarshalTo(rc); err != nil {
				return nil, err
			}
			routes = append(routes, rc)
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].Name < routes[j].Name })

	sdsNames := adsSecretNames(clusters, listeners)
	secrets := map[string]*tlsv3.Secret{}
	if len(sdsNames) > 0 {
		sdsResp, err := c.request(v3.SecretType, sdsNames, 3*time.Second)
		if err != nil {
			return nil, fmt.Errorf("SDS: %v", err)
		}
		if sdsResp != nil {
			for _, r := range sdsResp.Resources {
				sec := &tlsv3.Secret{}
				if err := r.UnmarshalTo(sec); err != nil {
					return nil, err
				}
				secrets[sec.Name] = sec
			}
		}
	}

	return assemble(bs, clusters, listeners, routes, sdsNames, secrets, s)
}

// rdsNames collects the RDS route config names the listeners' HTTP connection managers ask for.
func rdsNames(listeners []*listener.Listener) []string {
	set := map[string]bool{}
	for _, l := range listeners {
		for _, fc := range allChains(l) {
			for _, f := range fc.Filters {
				h := &hcm.HttpConnectionManager{}
				if f.GetTypedConfig() == nil || f.GetTypedConfig().MessageIs(h) == false {
					continue
				}
				if err := f.GetTypedConfig().UnmarshalTo(h); err != nil {
					continue
				}
				if r := h.GetRds(); r != nil {
					set[r.RouteConfigName] = true
				}
			}
		}
	}
	return sortedKeys(set)
}

func allChains(l *listener.Listener) []*listener.FilterChain {
	chains := append([]*listener.FilterChain{}, l.FilterChains...)
	if l.DefaultFilterChain != nil {
		chains = append(chains, l.DefaultFilterChain)
	}
	return chains
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// adsSecretNames collects the SDS secrets that Envoy would fetch from istiod over ADS (credentialName
// secrets); "default"/"ROOTCA" come from pilot-agent's SDS server and are not istiod's.
func adsSecretNames(clusters []*cluster.Cluster, listeners []*listener.Listener) []string {
	set := map[string]bool{}
	addSDS := func(cfgs ...*tlsv3.SdsSecretConfig) {
		for _, c := range cfgs {
			if c != nil && c.GetSdsConfig().GetAds() != nil {
				set[c.Name] = true
			}
		}
	}
	addCommon := func(ctx *tlsv3.CommonTlsContext) {
		if ctx == nil {
			return
		}
		addSDS(ctx.TlsCertificateSdsSecretConfigs...)
		addSDS(ctx.GetValidationContextSdsSecretConfig())
		addSDS(ctx.GetCombinedValidationContext().GetValidationContextSdsSecretConfig())
	}
	upstream := func(ts *core.TransportSocket) {
		if ts == nil || ts.GetTypedConfig() == nil {
			return
		}
		u := &tlsv3.UpstreamTlsContext{}
		if ts.GetTypedConfig().MessageIs(u) && ts.GetTypedConfig().UnmarshalTo(u) == nil {
			addCommon(u.CommonTlsContext)
		}
		d := &tlsv3.DownstreamTlsContext{}
		if ts.GetTypedConfig().MessageIs(d) && ts.GetTypedConfig().UnmarshalTo(d) == nil {
			addCommon(d.CommonTlsContext)
		}
	}
	for _, c := range clusters {
		upstream(c.TransportSocket)
		for _, m := range c.TransportSocketMatches {
			upstream(m.TransportSocket)
		}
	}
	for _, l := range listeners {
		for _, fc := range allChains(l) {
			upstream(fc.TransportSocket)
		}
	}
	return sortedKeys(set)
}

func mustAny(m proto.Message) *anypb.Any {
	a, err := anypb.New(m)
	if err != nil {
		panic(err)
	}
	return a
}

func assemble(bs *bootstrapv3.Bootstrap, clusters []*cluster.Cluster, listeners []*listener.Listener,
	routes []*route.RouteConfiguration, sdsNames []string, secrets map[string]*tlsv3.Secret, s scenario,
) ([]byte, error) {
	warmingSecrets := map[string]bool{}
	if s.WarmingSecret {
		for _, n := range sdsNames {
			if secrets[n] == nil {
				warmingSecrets[n] = true
			}
		}
	}

	cd := &admin.ClustersConfigDump{VersionInfo: fixedVersion}
	for _, c := range bs.GetStaticResources().GetClusters() {
		cd.StaticClusters = append(cd.StaticClusters, &admin.ClustersConfigDump_StaticCluster{Cluster: mustAny(c), LastUpdated: fixedTime})
	}
	for _, c := range clusters {
		dc := &admin.ClustersConfigDump_DynamicCluster{VersionInfo: fixedVersion, Cluster: mustAny(c), LastUpdated: fixedTime}
		if len(warmingSecrets) > 0 && clusterUsesSecret(c, warmingSecrets) {
			cd.DynamicWarmingClusters = append(cd.DynamicWarmingClusters, dc)
			continue
		}
		cd.DynamicActiveClusters = append(cd.DynamicActiveClusters, dc)
	}

	ld := &admin.ListenersConfigDump{VersionInfo: fixedVersion}
	var staticRoutes []*admin.RoutesConfigDump_StaticRouteConfig
	for _, l := range bs.GetStaticResources().GetListeners() {
		ld.StaticListeners = append(ld.StaticListeners, &admin.ListenersConfigDump_StaticListener{Listener: mustAny(l), LastUpdated: fixedTime})
		for _, fc := range allChains(l) {
			for _, f := range fc.Filters {
				h := &hcm.HttpConnectionManager{}
				if f.GetTypedConfig() != nil && f.GetTypedConfig().MessageIs(h) && f.GetTypedConfig().UnmarshalTo(h) == nil && h.GetRouteConfig() != nil {
					staticRoutes = append(staticRoutes, &admin.RoutesConfigDump_StaticRouteConfig{RouteConfig: mustAny(h.GetRouteConfig()), LastUpdated: fixedTime})
				}
			}
		}
	}
	for _, l := range listeners {
		ld.DynamicListeners = append(ld.DynamicListeners, &admin.ListenersConfigDump_DynamicListener{
			Name: l.Name,
			ActiveState: &admin.ListenersConfigDump_DynamicListenerState{
				VersionInfo: fixedVersion, Listener: mustAny(l), LastUpdated: fixedTime,
			},
		})
	}

	rd := &admin.RoutesConfigDump{StaticRouteConfigs: staticRoutes}
	for _, r := range routes {
		rd.DynamicRouteConfigs = append(rd.DynamicRouteConfigs, &admin.RoutesConfigDump_DynamicRouteConfig{
			VersionInfo: fixedVersion, RouteConfig: mustAny(r), LastUpdated: fixedTime,
		})
	}

	sd := &admin.SecretsConfigDump{}
	for _, n := range sdsNames {
		sec := secrets[n]
		if sec == nil {
			if warmingSecrets[n] {
				sd.DynamicWarmingSecrets = append(sd.DynamicWarmingSecrets, &admin.SecretsConfigDump_DynamicSecret{
					Name: n, VersionInfo: "uninitialized", LastUpdated: fixedTime,
					Secret: mustAny(&tlsv3.Secret{Name: n}),
				})
			}
			continue
		}
		sec = proto.Clone(sec).(*tlsv3.Secret)
		if sec.Name == "" {
			sec.Name = n
		}
		if tc := sec.GetTlsCertificate(); tc != nil && tc.PrivateKey != nil {
			// Redact exactly like Envoy's admin /config_dump.
			tc.PrivateKey = &core.DataSource{Specifier: &core.DataSource_InlineString{InlineString: "[redacted]"}}
		}
		sd.DynamicActiveSecrets = append(sd.DynamicActiveSecrets, &admin.SecretsConfigDump_DynamicSecret{
			Name: n, VersionInfo: fixedVersion, LastUpdated: fixedTime, Secret: mustAny(sec),
		})
	}

	dump := &admin.ConfigDump{Configs: []*anypb.Any{
		mustAny(&admin.BootstrapConfigDump{Bootstrap: bs, LastUpdated: fixedTime}),
		mustAny(cd),
		mustAny(ld),
		mustAny(&admin.ScopedRoutesConfigDump{}),
		mustAny(rd),
		mustAny(sd),
	}}
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(dump)
	if err != nil {
		return nil, err
	}
	// protojson's whitespace is deliberately unstable: normalise it.
	var compact, pretty bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	if err := json.Indent(&pretty, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	pretty.WriteByte('\n')
	if containsPrivateKey(pretty.Bytes()) {
		return nil, fmt.Errorf("refusing to write a dump that contains a private key")
	}
	return pretty.Bytes(), nil
}

func clusterUsesSecret(c *cluster.Cluster, names map[string]bool) bool {
	for _, n := range adsSecretNames([]*cluster.Cluster{c}, nil) {
		if names[n] {
			return true
		}
	}
	return false
}
