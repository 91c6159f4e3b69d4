package trace

import (
	"fmt"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkCredentialMissing = check{
	code: "EGR0401", level: LevelError, class: "D24",
	title: "credentialName secret missing or in the wrong namespace",
	doc: "istiod looks up a DestinationRule's `credentialName` in the namespace of the proxy that uses it (the " +
		"egress gateway's namespace, or the client's for a sidecar DR with a workloadSelector). When the Secret is " +
		"absent there (or not readable by the proxy's service account) the SDS secret never arrives: it stays in " +
		"`dynamic_warming_secrets` and the cluster in `dynamic_warming_clusters` (`503 NC`). " +
		"`kubectl egress check-secrets` shows the secret's keys and certificates.",
	run: runCredentialMissing,
}

func runCredentialMissing(a *analysis) []issue {
	var out []issue
	for _, u := range a.credentialSecrets() {
		if si := u.secret; si != nil && (si.Access == mesh.AccessOK || si.Access == mesh.AccessForbidden) {
			continue // forbidden: skipped, EGR0409
		}
		msg := fmt.Sprintf("%s uses credentialName %q, but Secret %s/%s %s", drName(u.dr), u.name, u.secretNS, u.secretName, secretState(u.secret))
		if elsewhere := a.secretElsewhere(u.secretName, u.secretNS); len(elsewhere) > 0 {
			msg += "; a Secret of that name exists in " + strings.Join(elsewhere, ", ")
		}
		out = append(out, issue{object: drName(u.dr), proxy: u.proxy, hop: u.hop, message: msg,
			fix: fmt.Sprintf("create the Secret %s in namespace %s (tls.crt, tls.key, ca.crt); kubectl egress check-secrets gives details", u.secretName, u.secretNS)})
	}
	return out
}

func secretState(si *mesh.SecretInfo) string {
	switch {
	case si == nil, si.Access == mesh.AccessNotFound:
		return "does not exist"
	case si.Access == mesh.AccessForbidden:
		return "could not be read (forbidden)"
	}
	return "is " + si.Access
}

// secretElsewhere lists the other namespaces holding a Secret named name, ordered by
// namespace/name. It runs only for a missing credential, so it sorts just the matches.
func (a *analysis) secretElsewhere(name, ns string) []string {
	found := map[string]string{}
	for k, si := range a.snap.Secrets {
		if si.Name == name && si.Namespace != ns && si.Access == mesh.AccessOK {
			found[k] = si.Namespace
		}
	}
	out := make([]string, 0, len(found))
	for _, k := range mesh.SortedKeys(found) {
		out = append(out, found[k])
	}
	return out
}
