package envoy

import (
	"strings"
	"time"
)

// Dump is the typed model of one proxy's /config_dump.
type Dump struct {
	Node         Node               `json:"node"`
	Bootstrap    *Bootstrap         `json:"bootstrap,omitempty"`
	Listeners    []Listener         `json:"listeners,omitempty"`
	RouteConfigs []RouteConfig      `json:"routeConfigs,omitempty"`
	Clusters     []Cluster          `json:"clusters,omitempty"`
	Endpoints    []ClusterEndpoints `json:"endpoints,omitempty"`
	Secrets      []Secret           `json:"secrets,omitempty"`
	// Sections lists the configs entries' type URLs in input order.
	Sections []string `json:"sections,omitempty"`
	// UnknownTypes are Any type URLs this package cannot decode (Istio
	// extensions, TypedStruct, newer Envoy types); their content is skipped.
	UnknownTypes []TypeCount `json:"unknownTypes,omitempty"`
	// LegacyTypes are Envoy v2 type URLs that were read as their v3 successors.
	LegacyTypes []TypeCount `json:"legacyTypes,omitempty"`
}

// State is the lifecycle state Envoy reports for a resource.
type State string

// Resource states. Rejected marks a resource known only from its error_state.
const (
	StateActive   State = "active"
	StateWarming  State = "warming"
	StateDraining State = "draining"
	StateRejected State = "rejected"
)

// Meta is what every xDS resource in a dump carries.
type Meta struct {
	State       State     `json:"state"`
	Static      bool      `json:"static,omitempty"`
	VersionInfo string    `json:"versionInfo,omitempty"`
	LastUpdated time.Time `json:"lastUpdated,omitzero"`
	// Error is the last rejected update (error_state), kept even when an
	// older version is still active.
	Error *UpdateFailure `json:"error,omitempty"`
}

// UpdateFailure is Envoy's error_state: a config update the proxy rejected.
type UpdateFailure struct {
	Details           string    `json:"details"`
	VersionInfo       string    `json:"versionInfo,omitempty"`
	LastUpdateAttempt time.Time `json:"lastUpdateAttempt,omitzero"`
}

// Bootstrap summarises the bootstrap config.
type Bootstrap struct {
	StaticClusters  []string `json:"staticClusters,omitempty"`
	StaticListeners []string `json:"staticListeners,omitempty"`
}

// stateRank orders states for lookups: active first.
func stateRank(s State) int {
	switch s {
	case StateActive:
		return 0
	case StateWarming:
		return 1
	case StateDraining:
		return 2
	}
	return 3
}

// Duration is a time.Duration that renders as "15s" in JSON.
type Duration time.Duration

// String formats like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON renders the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	v, err := time.ParseDuration(strings.Trim(string(b), `"`))
	*d = Duration(v)
	return err
}
