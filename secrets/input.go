package secrets

import (
	"time"

	"github.com/kubectl-egress/kubectl-egress/envoy"
	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// Access values for Proxy.ListSecrets.
const (
	AccessAllowed = "allowed"
	AccessDenied  = "denied"
	AccessUnknown = "unknown"
)

// DefaultExpiryWarning is the default of --expiry-warning.
const DefaultExpiryWarning = 30 * 24 * time.Hour

// Input is everything one check reads. The loader fills it; Run reads nothing else.
type Input struct {
	Snapshot *mesh.Snapshot
	// Certs holds the certificate DER of the Secrets read, by "namespace/name"; a Secret
	// without an entry gets no signature checks (chain order is still checked by name).
	Certs map[string]mesh.SecretCerts
	// Dumps holds parsed config dumps by "namespace/pod"; a proxy without one is reported
	// as not checked.
	Dumps map[string]*envoy.Dump
	// ListSecrets holds SubjectAccessReview results (AccessAllowed, AccessDenied) by
	// AccessKey; a missing entry is AccessUnknown.
	ListSecrets map[string]string
	// Namespaces limits the report to credentials named by objects in, or living in, these
	// namespaces; empty means all.
	Namespaces []string
	// Host limits the report to credentials used for this host.
	Host string
	// Port, when not 0, drops origination settings for another port (a DestinationRule's
	// portLevelSettings); settings for every port and Gateway servers stay.
	Port          int
	Now           time.Time
	ExpiryWarning time.Duration
	// Source is "cluster" or "files".
	Source string
}

// AccessKey is the ListSecrets key of "may serviceAccount of podNamespace list secrets in namespace".
func AccessKey(namespace, podNamespace, serviceAccount string) string {
	return namespace + "|" + ServiceAccountUser(podNamespace, serviceAccount)
}

// ServiceAccountUser is the user name of a service account, as a SubjectAccessReview takes it.
func ServiceAccountUser(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}
