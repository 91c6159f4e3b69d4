package trace

import (
	"fmt"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

var checkCredentialForbidden = check{
	code: "EGR0409", level: LevelInfo, class: "D24",
	title: "Credential Secret not checked: reading it is forbidden",
	doc: "The DestinationRule on the path names a `credentialName`, but your RBAC does not allow reading that " +
		"Secret, so the trace skipped it: it neither claims the Secret is missing nor that it is fine. The proxy's " +
		"SDS state (EGR0602) still shows whether istiod could deliver it. Grant `get` on secrets in that namespace " +
		"(deploy/rbac.yaml, Role kubectl-egress-credentials) or have someone who may read it run " +
		"`kubectl egress check-secrets`.",
	run: runCredentialForbidden,
}

func runCredentialForbidden(a *analysis) []issue {
	var out []issue
	for _, u := range a.credentialSecrets() {
		if u.secret == nil || u.secret.Access != mesh.AccessForbidden {
			continue
		}
		out = append(out, issue{object: objName("Secret", u.secretNS, u.secretName), proxy: u.proxy, hop: u.hop,
			message: fmt.Sprintf("skipped: forbidden: %s uses credentialName %q; reading Secret %s/%s is forbidden to you, so it was not checked",
				drName(u.dr), u.name, u.secretNS, u.secretName),
			fix: fmt.Sprintf("grant get on secrets in namespace %s (deploy/rbac.yaml, Role kubectl-egress-credentials), or run kubectl egress check-secrets as someone who may", u.secretNS)})
	}
	return out
}
