package envoy

import (
	"net"
	"strconv"
	"time"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Listener is one Envoy listener in one state.
type Listener struct {
	Name string `json:"name"`
	Meta
	Address    string `json:"address,omitempty"`
	Port       int    `json:"port,omitempty"`
	BindToPort bool   `json:"bindToPort"`
	// UseOriginalDst is the deprecated listener field (virtualOutbound on 15001).
	UseOriginalDst  bool     `json:"useOriginalDst,omitempty"`
	ListenerFilters []string `json:"listenerFilters,omitempty"`
	// HasFilterChainMatcher is true when chains are selected by the unified
	// filter_chain_matcher tree instead of each chain's filter_chain_match.
	HasFilterChainMatcher bool          `json:"hasFilterChainMatcher,omitempty"`
	FilterChains          []FilterChain `json:"filterChains,omitempty"`
	DefaultFilterChain    *FilterChain  `json:"defaultFilterChain,omitempty"`
}

// HostPort is "address:port" of the listener.
func (l *Listener) HostPort() string { return net.JoinHostPort(l.Address, strconv.Itoa(l.Port)) }

func listenersFrom(m *adminv3.ListenersConfigDump) []Listener {
	var out []Listener
	for _, s := range m.GetStaticListeners() {
		out = appendListener(out, s.GetListener(), Meta{State: StateActive, Static: true, LastUpdated: ts(s.GetLastUpdated())})
	}
	for _, dl := range m.GetDynamicListeners() {
		states := []struct {
			s  State
			st *adminv3.ListenersConfigDump_DynamicListenerState
		}{{StateActive, dl.GetActiveState()}, {StateWarming, dl.GetWarmingState()}, {StateDraining, dl.GetDrainingState()}}
		fail := failureFrom(dl.GetErrorState())
		n := len(out)
		for _, x := range states {
			if x.st == nil {
				continue
			}
			out = appendListener(out, x.st.GetListener(), Meta{State: x.s, VersionInfo: x.st.GetVersionInfo(), LastUpdated: ts(x.st.GetLastUpdated()), Error: fail})
		}
		if len(out) == n && fail != nil {
			meta := Meta{State: StateRejected, VersionInfo: fail.VersionInfo, Error: fail}
			if out = appendListener(out, dl.GetErrorState().GetFailedConfiguration(), meta); len(out) == n {
				out = append(out, Listener{Meta: meta}) // no readable failed_configuration
			}
		}
		for i := n; i < len(out); i++ {
			if out[i].Name == "" {
				out[i].Name = dl.GetName()
			}
		}
	}
	return out
}

func appendListener(out []Listener, a *anypb.Any, meta Meta) []Listener {
	pl := &listenerv3.Listener{}
	if !unpack(a, pl) {
		return out
	}
	return append(out, listenerFrom(pl, meta))
}

func listenerFrom(pl *listenerv3.Listener, meta Meta) Listener {
	l := Listener{
		Name:                  pl.GetName(),
		Meta:                  meta,
		Address:               pl.GetAddress().GetSocketAddress().GetAddress(),
		Port:                  int(pl.GetAddress().GetSocketAddress().GetPortValue()),
		BindToPort:            pl.GetBindToPort() == nil || pl.GetBindToPort().GetValue(),
		UseOriginalDst:        pl.GetUseOriginalDst().GetValue(),
		HasFilterChainMatcher: pl.GetFilterChainMatcher() != nil,
	}
	if p := pl.GetAddress().GetPipe(); p != nil {
		l.Address = "unix:" + p.GetPath()
	}
	for _, lf := range pl.GetListenerFilters() {
		l.ListenerFilters = append(l.ListenerFilters, lf.GetName())
	}
	for _, fc := range pl.GetFilterChains() {
		l.FilterChains = append(l.FilterChains, filterChainFrom(fc))
	}
	if fc := pl.GetDefaultFilterChain(); fc != nil {
		c := filterChainFrom(fc)
		l.DefaultFilterChain = &c
	}
	return l
}

func failureFrom(e *adminv3.UpdateFailureState) *UpdateFailure {
	if e == nil {
		return nil
	}
	return &UpdateFailure{Details: e.GetDetails(), VersionInfo: e.GetVersionInfo(), LastUpdateAttempt: ts(e.GetLastUpdateAttempt())}
}

func ts(t *timestamppb.Timestamp) (out time.Time) {
	if t == nil {
		return out
	}
	return t.AsTime().UTC()
}
