package e2e

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/kubectl-egress/kubectl-egress/internal/testcluster"
	"github.com/kubectl-egress/kubectl-egress/secrets/secretstest"
)

// leakScenario is a scenario whose Secrets hold private keys in every encoding and place
// (expected keys, unexpected ones, mislabelled PEM blocks, a key after a real
// certificate) and whose other objects hold tokens in env values and annotations.
type leakScenario struct {
	dir string
	n   *needles
}

// leakKeys are freshly generated keys of every kind the leak test places in Secrets.
type leakKeys struct {
	rsa1, rsa2 *rsa.PrivateKey
	ec384      *ecdsa.PrivateKey
	ed1, ed2   ed25519.PrivateKey
}

func newLeakKeys(t *testing.T) leakKeys {
	t.Helper()
	var k leakKeys
	var err error
	if k.rsa1, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed1, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed2, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	return k
}

// keyStructure encodes fresh keys of every kind the test places, in every encoding and
// under every PEM label it uses: what they share with the placed keys is structure.
func keyStructure(t *testing.T) [][]byte {
	t.Helper()
	k := newLeakKeys(t)
	ec256 := secretstest.NewKey(t)
	ec384, err := x509.MarshalECPrivateKey(k.ec384)
	if err != nil {
		t.Fatal(err)
	}
	ders := [][]byte{x509.MarshalPKCS1PrivateKey(k.rsa1), pkcs8(t, k.rsa1), ec384, pkcs8(t, k.ec384), pkcs8(t, ec256), pkcs8(t, k.ed1)}
	var out [][]byte
	for _, der := range ders {
		out = append(out, der, []byte(base64.StdEncoding.EncodeToString(der)))
		for _, label := range []string{"CERTIFICATE", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"} {
			out = append(out, pemOf(label, der))
		}
	}
	return out
}

func pkcs8(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// newLeakScenario copies gateway-mtls-origination (a gateway originating mTLS with the
// credential Secret istio-system/client-credential) and fills it with secrets.
func newLeakScenario(t *testing.T, name string) *leakScenario {
	t.Helper()
	src := filepath.Join(testcluster.RepoRoot(), "testdata", "scenarios", name)
	s := &leakScenario{dir: t.TempDir()}
	if err := os.CopyFS(s.dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	ca := secretstest.NewCA(t, "example.com")
	leaf := ca.Issue(t, secretstest.Leaf{CN: "client.example.com", DNSNames: []string{"client.example.com"}, Client: true})
	s.n = newNeedles(ca.Cert.Raw, ca.PEM, leaf.Cert.Raw, leaf.CertPEM)
	s.n.addPublic(keyStructure(t)...)
	s.mutateManifests(t)
	secretsYAML := strings.Join([]string{
		s.secret(t, "istio-system", "client-credential", corev1.SecretTypeOpaque, s.credentialData(t, ca, leaf), nil),
		s.secret(t, "istio-system", "client-credential-cacert", corev1.SecretTypeOpaque, s.cacertData(t, ca), nil),
		s.secret(t, "default", "app-secrets", corev1.SecretTypeOpaque, map[string][]byte{"password": []byte(s.token("Secret default/app-secrets password"))}, s.appStringData(t)),
	}, "---\n")
	writeTestFile(t, filepath.Join(s.dir, "manifests", "40-secret-client-credential.yaml"), secretsYAML)
	return s
}

// place records key material as placed in a Secret and its DER, and returns the bytes.
func (s *leakScenario) place(desc string, placed, der []byte) []byte {
	s.n.addKey(desc+" as placed", placed)
	s.n.addKey(desc+" DER", der)
	return placed
}

// credentialData is the credential Secret: the leaf pair in tls.crt/tls.key, with keys
// hidden after the certificates of tls.crt and ca.crt and under other key names.
func (s *leakScenario) credentialData(t *testing.T, ca *secretstest.CA, leaf *secretstest.Pair) map[string][]byte {
	t.Helper()
	k := newLeakKeys(t)
	ed1 := pkcs8(t, k.ed1)
	rsa1 := x509.MarshalPKCS1PrivateKey(k.rsa1)
	ec384, err := x509.MarshalECPrivateKey(k.ec384)
	if err != nil {
		t.Fatal(err)
	}
	rsa2 := x509.MarshalPKCS1PrivateKey(k.rsa2)
	s.place("leaf EC P-256 PKCS#8 PEM in tls.key", leaf.KeyPEM, secretstest.KeyDER(t, leaf.Key))
	return map[string][]byte{
		"tls.crt":      append(append([]byte{}, leaf.CertPEM...), s.place("Ed25519 PKCS#8 mislabelled CERTIFICATE after the leaf in tls.crt", pemOf("CERTIFICATE", ed1), ed1)...),
		"tls.key":      leaf.KeyPEM,
		"ca.crt":       append(append([]byte{}, ca.PEM...), s.place("RSA PKCS#1 PEM after the CA in ca.crt", pemOf("RSA PRIVATE KEY", rsa1), rsa1)...),
		"key":          s.place("EC P-384 SEC 1 PEM in key", pemOf("EC PRIVATE KEY", ec384), ec384),
		"backup.der":   s.place("RSA PKCS#8 DER in backup.der", pkcs8(t, k.rsa1), pkcs8(t, k.rsa1)),
		"recovery.b64": s.place("RSA PKCS#1 base64 in recovery.b64", []byte(base64.StdEncoding.EncodeToString(rsa2)), rsa2),
		"x-7f3a9c":     s.place("RSA PKCS#8 mislabelled CERTIFICATE in x-7f3a9c", pemOf("CERTIFICATE", pkcs8(t, k.rsa2)), pkcs8(t, k.rsa2)),
		"signing.pem":  s.place("Ed25519 PKCS#8 PEM in signing.pem", pemOf("PRIVATE KEY", pkcs8(t, k.ed2)), pkcs8(t, k.ed2)),
		"password":     []byte(s.token("Secret client-credential password")),
	}
}

// cacertData is NAME-cacert: the CA, then an EC key mislabelled as a certificate.
func (s *leakScenario) cacertData(t *testing.T, ca *secretstest.CA) map[string][]byte {
	t.Helper()
	k := newLeakKeys(t)
	ec := pkcs8(t, k.ec384)
	return map[string][]byte{
		"ca.crt": append(append([]byte{}, ca.PEM...), s.place("EC P-384 PKCS#8 mislabelled CERTIFICATE after the CA in cacert ca.crt", pemOf("CERTIFICATE", ec), ec)...),
	}
}

// appStringData is a Secret's stringData with a PEM key (kubectl and -f merge it).
func (s *leakScenario) appStringData(t *testing.T) map[string]string {
	t.Helper()
	k := newLeakKeys(t)
	der := x509.MarshalPKCS1PrivateKey(k.rsa1)
	return map[string]string{"id_rsa": string(s.place("RSA PKCS#1 PEM in stringData id_rsa", pemOf("RSA PRIVATE KEY", der), der))}
}

func (s *leakScenario) secret(t *testing.T, ns, name string, typ corev1.SecretType, data map[string][]byte, stringData map[string]string) string {
	t.Helper()
	obj := map[string]any{"apiVersion": "v1", "kind": "Secret", "type": string(typ), "data": data,
		"metadata": map[string]any{"name": name, "namespace": ns, "annotations": map[string]string{"example.com/token": s.token("annotation of Secret " + ns + "/" + name)}}}
	if stringData != nil {
		obj["stringData"] = stringData
	}
	b, err := yaml.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// token returns a fresh random string and records it as a needle.
func (s *leakScenario) token(desc string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "tok" + hex.EncodeToString(b)
	s.n.addToken(desc, tok)
	return tok
}

var docSeparator = regexp.MustCompile(`(?m)^---\s*$`)

// mutateManifests adds tokens to every object of the scenario's manifests: an annotation
// on each, an env value on each container, a mesh config proxyMetadata value and another
// ConfigMap key, and a request header value on each VirtualService HTTP route.
func (s *leakScenario) mutateManifests(t *testing.T) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.dir, "manifests", "*.yaml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var docs []string
		for _, doc := range docSeparator.Split(string(b), -1) {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
				continue
			}
			s.mutate(t, obj)
			out, err := yaml.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(out))
		}
		writeTestFile(t, f, strings.Join(docs, "---\n"))
	}
}

func (s *leakScenario) mutate(t *testing.T, obj map[string]any) {
	t.Helper()
	kind, _ := obj["kind"].(string)
	md := mapAt(obj, "metadata")
	id := fmt.Sprintf("%s %v/%v", kind, md["namespace"], md["name"])
	mapAt(md, "annotations")["example.com/token"] = s.token("annotation of " + id)
	switch kind {
	case "Pod":
		s.addEnv(mapAt(obj, "spec"), id)
	case "Deployment":
		tmpl := mapAt(mapAt(obj, "spec"), "template")
		mapAt(mapAt(tmpl, "metadata"), "annotations")["example.com/token"] = s.token("template annotation of " + id)
		s.addEnv(mapAt(tmpl, "spec"), id)
	case "ConfigMap":
		s.mutateConfigMap(t, mapAt(obj, "data"), id)
	case "VirtualService":
		routes, _ := mapAt(obj, "spec")["http"].([]any)
		for _, r := range routes {
			if r, ok := r.(map[string]any); ok {
				r["headers"] = map[string]any{"request": map[string]any{"set": map[string]any{"authorization": "Bearer " + s.token("request header of "+id)}}}
			}
		}
	}
}

func (s *leakScenario) addEnv(spec map[string]any, id string) {
	for _, list := range []string{"containers", "initContainers"} {
		cs, _ := spec[list].([]any)
		for _, c := range cs {
			if c, ok := c.(map[string]any); ok {
				env, _ := c["env"].([]any)
				c["env"] = append(env, map[string]any{"name": "DB_PASSWORD", "value": s.token(fmt.Sprintf("env value of %s container %v", id, c["name"]))})
			}
		}
	}
}

func (s *leakScenario) mutateConfigMap(t *testing.T, data map[string]any, id string) {
	t.Helper()
	data["extra"] = s.token("key extra of " + id)
	meshYAML, ok := data["mesh"].(string)
	if !ok {
		return
	}
	var mesh map[string]any
	if err := yaml.Unmarshal([]byte(meshYAML), &mesh); err != nil {
		t.Fatal(err)
	}
	mapAt(mapAt(mesh, "defaultConfig"), "proxyMetadata")["API_KEY"] = s.token("mesh config proxyMetadata of " + id)
	mesh["extensionProviders"] = []any{map[string]any{"name": "authz", "envoyExtAuthzHttp": map[string]any{
		"service": "authz.default.svc.cluster.local", "port": 8000,
		"includeAdditionalHeadersInCheck": map[string]any{"x-api-key": s.token("mesh config extension provider header of " + id)}}}}
	out, err := yaml.Marshal(mesh)
	if err != nil {
		t.Fatal(err)
	}
	data["mesh"] = string(out)
}

// mapAt returns m[key] as a map, creating it when absent.
func mapAt(m map[string]any, key string) map[string]any {
	if v, ok := m[key].(map[string]any); ok {
		return v
	}
	v := map[string]any{}
	m[key] = v
	return v
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
