package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

var checkFileCert = check{
	code: "EGR0408", level: LevelError, class: "D28",
	title: "File-mounted certificate missing on the proxy",
	doc: "A DestinationRule's `clientCertificate`/`privateKey`/`caCertificates` file paths become SDS secrets " +
		"`file-cert:CERT~KEY` and `file-root:PATH` that the proxy's own agent reads from its filesystem. When the " +
		"files are not mounted in that proxy (often: mounted in the sidecar but the DR applies at the egress " +
		"gateway, or the reverse) the secret stays warming and the cluster is not used (`503 NC`).",
	run: runFileCert,
}

func runFileCert(a *analysis) []issue {
	var out []issue
	for _, lg := range a.legs() {
		for _, name := range sdsNames(lg.cluster) {
			if !isFileSecret(name) {
				continue
			}
			if s := lg.dump.Secret(name); s != nil && s.State == envoy.StateWarming {
				out = append(out, issue{object: configObject(lg.cluster.Config), proxy: lg.proxy, hop: lg.clusterHop,
					message: fmt.Sprintf("SDS secret %s used by cluster %s on %s is warming: the proxy cannot read %s", name, lg.clusterName, lg.proxy, filePaths(name)),
					fix:     "mount the files into " + lg.proxy + " (sidecar.istio.io/userVolume and userVolumeMount annotations, or the gateway Deployment's volumes), or use credentialName with a Secret"})
			}
		}
	}
	return out
}

func isFileSecret(name string) bool {
	return strings.HasPrefix(name, "file-cert:") || (strings.HasPrefix(name, "file-root:") && name != "file-root:system")
}

// filePaths lists the files a file-cert:/file-root: secret name refers to.
func filePaths(name string) string {
	_, paths, _ := strings.Cut(name, ":")
	return strings.ReplaceAll(paths, "~", " and ")
}
