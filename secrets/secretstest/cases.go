package secretstest

import (
	"crypto/elliptic"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Case is one check-secrets situation: manifests, proxy dumps by "ns/pod", the finding
// codes it must report, and every private key it contains (none may ever be printed).
type Case struct {
	Name      string
	Manifests []string
	Dumps     map[string][]byte
	Want      []string
	Keys      [][]byte // PKCS#8 DER of each key in the manifests
}

const (
	gwKey    = GatewayNS + "/" + GatewayPod
	cluster  = "outbound|443||" + Host
	certSDS  = "kubernetes://" + CredName
	caSDS    = "kubernetes://" + CredName + "-cacert"
	tlsType  = corev1.SecretTypeTLS
	opaque   = corev1.SecretTypeOpaque
	mutualDR = "MUTUAL"
)

// activeDump is the gateway's dump with both SDS secrets active and the cluster active.
func activeDump(chain, ca []byte) map[string][]byte {
	return map[string][]byte{gwKey: DumpJSON(
		[]DumpCluster{{Name: cluster, CertSDS: certSDS, CASDS: caSDS}},
		[]DumpSecret{{Name: certSDS, CertPEM: chain}, {Name: caSDS, CertPEM: ca}})}
}

// routerMesh is BaseMesh with a gateway pod that no chart label or Gateway selects: only its
// istio-proxy container started as a router says it is a gateway.
func routerMesh() string {
	m := strings.Replace(BaseMesh(), "labels: {app: istio-egressgateway, istio: egressgateway}", "labels: {app: my-egress}", 1)
	return strings.Replace(m, "    image: docker.io/istio/proxyv2:1.31-dev\n", "    image: docker.io/istio/proxyv2:1.31-dev\n    args: [proxy, router, --domain, istio-system.svc.cluster.local]\n", 1)
}

// Cases builds every case with freshly generated certificates.
func Cases(t testing.TB) []Case {
	t.Helper()
	ca := NewCA(t, "example.com")
	client := ca.Issue(t, Leaf{CN: "client.example.com", DNSNames: []string{"client.example.com"}, Client: true})
	other := ca.Issue(t, Leaf{CN: "other.example.com", Client: true})
	expired := ca.Issue(t, Leaf{CN: "expired.example.com", Client: true, NotBefore: Now.AddDate(-2, 0, 0), NotAfter: Now.AddDate(0, 0, -3)})
	future := ca.Issue(t, Leaf{CN: "future.example.com", Client: true, NotBefore: Now.AddDate(0, 0, 5), NotAfter: Now.AddDate(1, 0, 0)})
	soon := ca.Issue(t, Leaf{CN: "soon.example.com", Client: true, NotAfter: Now.AddDate(0, 0, 10)})
	server := ca.Issue(t, Leaf{CN: "server.example.com", Server: true})
	inter := ca.Intermediate(t, "intermediate.example.com")
	viaInter := inter.Issue(t, Leaf{CN: "client2.example.com", Client: true})
	impostor := NewCA(t, "example.com") // same name, other key
	p224 := ca.Issue(t, Leaf{CN: "p224.example.com", Client: true, Curve: elliptic.P224()})
	oldRoot := ExpiredCA(t, "old-root.example.com")
	byOldRoot := oldRoot.Issue(t, Leaf{CN: "old-client.example.com", Client: true})
	withKey := func(d map[string][]byte, k string, v []byte) map[string][]byte { d[k] = v; return d }
	nsSDS := "kubernetes://" + GatewayNS + "/" + CredName
	gwServer := ca.Issue(t, Leaf{CN: "gw.example.com", DNSNames: []string{"gw.example.com"}, Server: true})

	keys := func(ps ...*Pair) [][]byte {
		var out [][]byte
		for _, p := range ps {
			out = append(out, KeyDER(t, p.Key))
		}
		return out
	}
	tlsData := func(p *Pair, caPEM []byte) map[string][]byte {
		return map[string][]byte{"tls.crt": p.CertPEM, "tls.key": p.KeyPEM, "ca.crt": caPEM}
	}
	dr := OriginationDR(GatewayNS, mutualDR, CredName, Host, "")
	sec := func(data map[string][]byte) string { return Secret(t, GatewayNS, CredName, tlsType, data) }
	base := func(docs ...string) []string { return append([]string{BaseMesh(), dr}, docs...) }
	ok := activeDump(client.CertPEM, ca.PEM)

	return []Case{
		{Name: "valid kubernetes.io/tls secret", Manifests: base(sec(tlsData(client, ca.PEM))), Dumps: ok, Keys: keys(client)},
		{Name: "valid generic secret", Manifests: base(Secret(t, GatewayNS, CredName, opaque, map[string][]byte{"cert": client.CertPEM, "key": client.KeyPEM, "cacert": ca.PEM})), Dumps: ok, Keys: keys(client)},
		{Name: "CA in NAME-cacert", Manifests: base(Secret(t, GatewayNS, CredName, tlsType, map[string][]byte{"tls.crt": client.CertPEM, "tls.key": client.KeyPEM}),
			Secret(t, GatewayNS, CredName+"-cacert", opaque, map[string][]byte{"ca.crt": ca.PEM})), Dumps: ok, Keys: keys(client)},
		// istiod's GetCaCert/extractRoot (pilot/pkg/credentials/kube/secrets.go): NAME-cacert wins
		// over NAME's own ca.crt, with no fallback; cacert before ca.crt; cert/key before tls.*.
		{Name: "NAME-cacert wins over the credential's own CA", Manifests: base(sec(tlsData(client, impostor.PEM)),
			Secret(t, GatewayNS, CredName+"-cacert", opaque, map[string][]byte{"ca.crt": ca.PEM})), Dumps: ok, Keys: keys(client)},
		{Name: "NAME-cacert without a CA: no fallback to the credential's", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, "SIMPLE", CredName, Host, ""),
			sec(tlsData(client, ca.PEM)), Secret(t, GatewayNS, CredName+"-cacert", opaque, map[string][]byte{"other": []byte("x")})},
			Want: []string{"EGR0453", "EGR0489"}, Keys: keys(client)},
		{Name: "cacert read before ca.crt", Manifests: base(sec(map[string][]byte{"tls.crt": client.CertPEM, "tls.key": client.KeyPEM, "ca.crt": impostor.PEM, "cacert": ca.PEM})),
			Dumps: ok, Keys: keys(client)},
		{Name: "cert/key read before tls.crt/tls.key", Manifests: base(sec(map[string][]byte{"cert": client.CertPEM, "key": client.KeyPEM, "tls.crt": other.CertPEM, "tls.key": other.KeyPEM, "ca.crt": ca.PEM})),
			Dumps: ok, Keys: keys(client, other)},
		// A gateway known by its pod running Istio's proxy as a router, though nothing
		// selects it by label: the DestinationRule in its namespace applies to it.
		{Name: "custom-labelled router pod shows the secret warming", Manifests: []string{routerMesh(), dr, sec(tlsData(client, ca.PEM))},
			Want: []string{"EGR0485", "EGR0488"}, Keys: keys(client), Dumps: map[string][]byte{gwKey: DumpJSON(
				[]DumpCluster{{Name: cluster, CertSDS: certSDS, CASDS: caSDS, Warming: true}},
				[]DumpSecret{{Name: certSDS, Warming: true}, {Name: caSDS, CertPEM: ca.PEM}})}},
		{Name: "missing secret", Manifests: base(), Want: []string{"EGR0450", "EGR0485", "EGR0488"}, Dumps: map[string][]byte{gwKey: DumpJSON(
			[]DumpCluster{{Name: cluster, CertSDS: certSDS, CASDS: caSDS, Warming: true}},
			[]DumpSecret{{Name: certSDS, Warming: true}, {Name: caSDS, Warming: true}})}},
		{Name: "secret in the wrong namespace", Manifests: base(Secret(t, "default", CredName, tlsType, tlsData(client, ca.PEM))), Want: []string{"EGR0451", "EGR0489"}, Keys: keys(client)},
		{Name: "wrong keys", Manifests: base(sec(map[string][]byte{"client.pem": client.CertPEM, "client.key": client.KeyPEM})), Want: []string{"EGR0453"}, Dumps: ok, Keys: keys(client)},
		{Name: "empty CA", Manifests: base(sec(tlsData(client, []byte{}))), Want: []string{"EGR0454"}, Dumps: ok, Keys: keys(client)},
		{Name: "expired certificate", Manifests: base(sec(tlsData(expired, ca.PEM))), Want: []string{"EGR0457", "EGR0487"}, Dumps: ok, Keys: keys(expired)},
		{Name: "not yet valid certificate", Manifests: base(sec(tlsData(future, ca.PEM))), Want: []string{"EGR0458", "EGR0487"}, Dumps: ok, Keys: keys(future)},
		{Name: "expires soon", Manifests: base(sec(tlsData(soon, ca.PEM))), Want: []string{"EGR0459"}, Dumps: activeDump(soon.CertPEM, ca.PEM), Keys: keys(soon)},
		{Name: "key does not match", Manifests: base(sec(map[string][]byte{"tls.crt": client.CertPEM, "tls.key": other.KeyPEM, "ca.crt": ca.PEM})), Want: []string{"EGR0460"}, Dumps: ok, Keys: keys(other)},
		{Name: "truncated chain", Manifests: base(sec(tlsData(viaInter, ca.PEM))), Want: []string{"EGR0465"}, Dumps: activeDump(viaInter.CertPEM, ca.PEM), Keys: keys(viaInter)},
		{Name: "complete chain with intermediate", Manifests: base(sec(tlsData(&Pair{CertPEM: append(append([]byte{}, viaInter.CertPEM...), inter.PEM...), KeyPEM: viaInter.KeyPEM}, ca.PEM))),
			Dumps: activeDump(viaInter.CertPEM, ca.PEM), Keys: keys(viaInter)},
		{Name: "CA re-created with the same name", Manifests: base(sec(tlsData(client, impostor.PEM))), Want: []string{"EGR0466", "EGR0487"}, Dumps: ok, Keys: keys(client)},
		{Name: "CA-only secret for MUTUAL", Manifests: base(sec(map[string][]byte{"ca.crt": ca.PEM})), Want: []string{"EGR0455"}, Dumps: ok},
		{Name: "server certificate used as client certificate", Manifests: base(sec(tlsData(server, ca.PEM))), Want: []string{"EGR0462", "EGR0487"}, Dumps: ok, Keys: keys(server)},
		{Name: "sidecar DR without workloadSelector", Manifests: []string{OriginationDR("default", mutualDR, "sidecar-credential", Host, ""),
			Secret(t, "default", "sidecar-credential", tlsType, tlsData(client, ca.PEM))}, Want: []string{"EGR0475"}, Keys: keys(client)},
		{Name: "proxy shows the secret warming", Manifests: base(sec(tlsData(client, ca.PEM))), Want: []string{"EGR0485", "EGR0488"}, Keys: keys(client), Dumps: map[string][]byte{gwKey: DumpJSON(
			[]DumpCluster{{Name: cluster, CertSDS: certSDS, CASDS: caSDS, Warming: true}},
			[]DumpSecret{{Name: certSDS, Warming: true}, {Name: caSDS, CertPEM: ca.PEM}})}},
		{Name: "proxy serial differs from the secret", Manifests: base(sec(tlsData(client, ca.PEM))), Want: []string{"EGR0487"}, Dumps: activeDump(other.CertPEM, ca.PEM), Keys: keys(client)},
		// Envoy 1.40 refuses the curve (internal/realenvoy TestRealCertificateStates).
		{Name: "P-224 client certificate", Manifests: base(sec(tlsData(p224, ca.PEM))), Want: []string{"EGR0472"}, Dumps: activeDump(p224.CertPEM, ca.PEM), Keys: keys(p224)},
		// An expired root beside the valid one anchors nothing: verification uses the valid one.
		// An expired root beside the valid one anchors nothing: verification uses the valid
		// one, so it is an Info, not an Error.
		{Name: "expired unused root in the CA bundle", Manifests: base(sec(tlsData(client, append(append([]byte{}, oldRoot.PEM...), ca.PEM...)))), Want: []string{"EGR0492"},
			Dumps: activeDump(client.CertPEM, append(append([]byte{}, oldRoot.PEM...), ca.PEM...)), Keys: keys(client)},
		// The chain's issuer is the expired root: a valid root beside it does not help.
		{Name: "expired root the chain needs, beside a valid one", Manifests: base(sec(tlsData(byOldRoot, append(append([]byte{}, oldRoot.PEM...), ca.PEM...)))), Want: []string{"EGR0457"},
			Dumps: activeDump(byOldRoot.CertPEM, append(append([]byte{}, oldRoot.PEM...), ca.PEM...)), Keys: keys(byOldRoot)},
		// istiod copies an empty ca.crl/crl as it is and Envoy skips an empty CRL.
		{Name: "empty ca.crl", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", []byte{}))), Dumps: ok, Keys: keys(client)},
		{Name: "empty crl in a generic secret", Manifests: base(Secret(t, GatewayNS, CredName, opaque, map[string][]byte{"cert": client.CertPEM, "key": client.KeyPEM, "cacert": ca.PEM, "crl": {}})), Dumps: ok, Keys: keys(client)},
		// A DER or PKCS#12 tls.crt is a certificate in the wrong encoding, not a key problem.
		{Name: "DER tls.crt", Manifests: base(sec(tlsData(&Pair{CertPEM: client.Cert.Raw, KeyPEM: client.KeyPEM}, ca.PEM))), Want: []string{"EGR0491"}, Dumps: ok, Keys: keys(client)},
		{Name: "PKCS#12 tls.crt", Manifests: base(sec(tlsData(&Pair{CertPEM: PFX(t, client.Cert.Raw), KeyPEM: client.KeyPEM}, ca.PEM))), Want: []string{"EGR0491"}, Dumps: ok, Keys: keys(client)},
		{Name: "DER ca.crt", Manifests: base(sec(tlsData(client, ca.Cert.Raw))), Want: []string{"EGR0491"}, Dumps: ok, Keys: keys(client)},
		// credentialName forms istiod resolves (credentials.ToResourceName, ParseResourceName).
		{Name: "credentialName kubernetes://NAME", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "kubernetes://"+CredName, Host, ""), sec(tlsData(client, ca.PEM))},
			Dumps: ok, Keys: keys(client)},
		{Name: "credentialName kubernetes://NS/NAME in the proxy's namespace", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "kubernetes://"+GatewayNS+"/"+CredName, Host, ""), sec(tlsData(client, ca.PEM))},
			Dumps: map[string][]byte{gwKey: DumpJSON([]DumpCluster{{Name: cluster, CertSDS: nsSDS, CASDS: nsSDS + "-cacert"}},
				[]DumpSecret{{Name: nsSDS, CertPEM: client.CertPEM}, {Name: nsSDS + "-cacert", CertPEM: ca.PEM}})}, Keys: keys(client)},
		{Name: "credentialName kubernetes://NS/NAME in another namespace", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "kubernetes://default/"+CredName, Host, ""),
			Secret(t, "default", CredName, tlsType, tlsData(client, ca.PEM))}, Want: []string{"EGR0477", "EGR0489"}, Keys: keys(client)},
		{Name: "credentialName kubernetes-gateway:// on a DestinationRule", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "kubernetes-gateway://"+GatewayNS+"/"+CredName, Host, ""),
			sec(tlsData(client, ca.PEM))}, Want: []string{"EGR0477", "EGR0489"}, Keys: keys(client)},
		{Name: "credentialName kubernetes-gateway:// without a namespace", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "kubernetes-gateway://"+CredName, Host, "")},
			Want: []string{"EGR0490"}},
		// CRLs (ca.crl with ca.crt), as Envoy checks them (CRL_CHECK_ALL, PEM only).
		{Name: "valid CRL revoking another certificate", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", ca.CRL(t, Now.AddDate(0, 0, -1), Now.AddDate(0, 0, 6), other.Cert)))), Dumps: ok, Keys: keys(client)},
		{Name: "CRL revoking the leaf", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", ca.CRL(t, Now.AddDate(0, 0, -1), Now.AddDate(0, 0, 6), client.Cert)))), Want: []string{"EGR0496"}, Dumps: ok, Keys: keys(client)},
		{Name: "expired CRL", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", ca.CRL(t, Now.AddDate(0, 0, -10), Now.AddDate(0, 0, -3))))), Want: []string{"EGR0494"}, Dumps: ok, Keys: keys(client)},
		{Name: "CRL of another CA", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", oldRoot.CRL(t, Now.AddDate(0, 0, -1), Now.AddDate(0, 0, 6))))), Want: []string{"EGR0495"}, Dumps: ok, Keys: keys(client)},
		{Name: "CRL signed by a same-named impostor", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", impostor.CRL(t, Now.AddDate(0, 0, -1), Now.AddDate(0, 0, 6))))), Want: []string{"EGR0495"}, Dumps: ok, Keys: keys(client)},
		{Name: "DER CRL", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "ca.crl", []byte{0x30, 0x03, 0x02, 0x01, 0x01}))), Want: []string{"EGR0493"}, Dumps: ok, Keys: keys(client)},
		// istiod reads crl only beside cacert: a crl key beside ca.crt never reaches Envoy.
		{Name: "crl key beside ca.crt is not read", Manifests: base(sec(withKey(tlsData(client, ca.PEM), "crl", ca.CRL(t, Now.AddDate(0, 0, -10), Now.AddDate(0, 0, -3), client.Cert)))), Dumps: ok, Keys: keys(client)},
		// kubernetes-gateway:// on Gateway servers (MergeGateways' VerifiedCertificateReferences).
		{Name: "kubernetes-gateway:// on a Gateway in the proxy's namespace", Manifests: []string{BaseMesh(), tlsGateway(GatewayNS, "kubernetes-gateway://"+GatewayNS+"/gw-cred"),
			Secret(t, GatewayNS, "gw-cred", tlsType, map[string][]byte{"tls.crt": gwServer.CertPEM, "tls.key": gwServer.KeyPEM})}, Want: []string{"EGR0489"}, Keys: keys(gwServer)},
		{Name: "kubernetes-gateway:// on a Gateway outside the proxy's namespace", Manifests: []string{BaseMesh(), tlsGateway("default", "kubernetes-gateway://"+GatewayNS+"/gw-cred"),
			Secret(t, GatewayNS, "gw-cred", tlsType, map[string][]byte{"tls.crt": gwServer.CertPEM, "tls.key": gwServer.KeyPEM})}, Want: []string{"EGR0477", "EGR0489"}, Keys: keys(gwServer)},
		{Name: "kubernetes-gateway:// to a Secret in another namespace", Manifests: []string{BaseMesh(), tlsGateway(GatewayNS, "kubernetes-gateway://default/gw-cred"),
			Secret(t, "default", "gw-cred", tlsType, map[string][]byte{"tls.crt": gwServer.CertPEM, "tls.key": gwServer.KeyPEM})}, Want: []string{"EGR0478", "EGR0489"}, Keys: keys(gwServer)},
		{Name: "credentialName builtin://", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, "builtin://", Host, "")}, Want: []string{"EGR0479"}},
		{Name: "every root of the CA bundle expired", Manifests: base(sec(tlsData(client, oldRoot.PEM))), Want: []string{"EGR0457", "EGR0465"},
			Dumps: activeDump(client.CertPEM, oldRoot.PEM), Keys: keys(client)},
		{Name: "origination without sni", Manifests: []string{BaseMesh(), OriginationDR(GatewayNS, mutualDR, CredName, "", ""), sec(tlsData(client, ca.PEM))}, Want: []string{"EGR0468"}, Dumps: ok, Keys: keys(client)},
	}
}

// tlsGateway is a Gateway in ns selecting the egress gateway pods, with one SIMPLE server
// for gw.example.com using credentialName cred.
func tlsGateway(ns, cred string) string {
	return fmt.Sprintf(`apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: tls-gateway, namespace: %s}
spec:
  selector: {istio: egressgateway}
  servers:
  - port: {number: 8443, name: https-8443, protocol: HTTPS}
    hosts: [gw.example.com]
    tls: {mode: SIMPLE, credentialName: %q}
`, ns, cred)
}
