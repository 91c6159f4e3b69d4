package trace

import "sort"

// check is one diagnosis: a permanent code, a level, the failure class it names
// (EGRESS-FAILURES.md), a title and documentation, and the function finding it.
type check struct {
	code  string
	level Level
	class string
	title string
	doc   string
	run   func(a *analysis) []issue
}

// issue is what a check reports; the runner adds the check's code and level.
type issue struct {
	object  string
	proxy   string
	hop     int
	message string
	fix     string
	// uncertain marks an object the trace does not model at hop: the verdict is uncertain
	// from there and Errors that depend on those hops are downgraded (verdict.go).
	uncertain bool
}

// checks is the one list of registered checks, in code order.
var checks = []check{
	checkNotInRegistry, checkPassthrough, checkHTTPOn443, checkWildcardResolution, checkNoEndpoints, checkDuplicateSE, checkTCPCatchAll,
	checkMeshConfigForbidden, checkMeshConfigUnreadable,
	checkPartialPorts, checkVSNotMesh, checkNoGatewayRoute, checkHostNotInGateway, checkGatewaySelector,
	checkSubsetMissing, checkGatewayTLS, checkGatewayPort, checkTLSUnderHTTP, checkMeshVSConflict,
	checkHiddenFromGateway, checkHiddenFromClient, checkSidecarImport, checkSidecarPolicy, checkClusterNotFound,
	checkCredentialMissing, checkCredentialIgnored, checkPlaintextToTLS, checkDoubleTLS, checkCertValidity,
	checkNoSNI, checkNoVerification, checkFileCert, checkCredentialForbidden,
	checkNoSidecar, checkCaptureBypass, checkNetpolOpen, checkNetpolBlocks,
	checkDNSAliasPinned, checkDNSAliasGateway, checkDNSAliasRouted, checkDNSAliasNoSidecar, checkDNSPolicy, checkDNSCapturedElsewhere, checkDNSSearch, checkDNSAliasPodPort,
	checkRejected, checkWarming, checkStale, checkMissingDump, checkGatewayReplicas, checkCertKey, checkEmptyDump,
	checkEnvoyFilter, checkExtension, checkProxyConfig, checkAuthorizationPolicy, checkPeerAuthentication,
	checkWorkloadEntry, checkGatewayAPIRoute, checkGatewayAPIGateway, checkBackendPolicy, checkReferenceGrant,
	checkAmbient, checkCaptureUnmodelled, checkUnchecked,
	checkBlockedUnexplained, // last: it looks at what every other check found
}

// FindingDoc documents one finding code for renderers and docs/findings.md.
type FindingDoc struct {
	Code  string `json:"code"`
	Level Level  `json:"level"`
	// Class is the failure class in EGRESS-FAILURES.md, e.g. "A1".
	Class string `json:"class"`
	Title string `json:"title"`
	Doc   string `json:"doc"`
}

// Catalogue lists every finding code trace can report, ordered by code.
func Catalogue() []FindingDoc {
	out := make([]FindingDoc, 0, len(checks))
	for _, c := range checks {
		out = append(out, FindingDoc{Code: c.code, Level: c.level, Class: c.class, Title: c.title, Doc: c.doc})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// runChecks runs every check and records its issues as findings.
func (a *analysis) runChecks() {
	for _, c := range checks {
		for _, is := range c.run(a) {
			a.rep.Findings = append(a.rep.Findings, Finding{
				Code: c.code, Level: c.level, Object: is.object, Proxy: is.proxy,
				Hop: is.hop, Message: is.message, Fix: is.fix,
			})
			if is.uncertain {
				a.uncertain = append(a.uncertain, Uncertainty{Hop: is.hop, Object: is.object, Code: c.code})
			}
		}
	}
}

// one wraps a single issue.
func one(is issue) []issue { return []issue{is} }
