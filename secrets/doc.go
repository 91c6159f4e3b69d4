// Package secrets checks the credentials that Istio TLS origination and egress gateways
// depend on: every DestinationRule `tls.credentialName` (SIMPLE and MUTUAL) and every
// Gateway server `credentialName`. It is pure: from a mesh.Snapshot (Istio objects, pods,
// Secret summaries), the public certificate DER of those Secrets, the proxies' parsed
// envoy.Dumps, the results of the load step's SubjectAccessReviews and a clock value, Run
// returns a Report — which proxy uses each credential and so where it must live, what the
// Secret holds, whether its certificates work, and what the proxy actually loaded — with
// coded findings (EGR0450–EGR0499). It never touches a client, a clock or stdout, and it
// never sees private key bytes: whether the key matches the leaf was decided by mesh.
package secrets
