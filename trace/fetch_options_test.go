package trace

import (
	"path/filepath"
	"testing"
)

func TestFetchOptions(t *testing.T) {
	in := loadScenario(t, filepath.Join("..", "testdata", "scenarios", "gateway-tls-origination"))
	in.Host, in.Port = "edition.cnn.com", 443
	if got := FetchOptions(in); len(got) != 1 {
		t.Errorf("FetchOptions from the sleep sidecar = %d options, want WithClient", len(got))
	}
	in.Client = scenarioGateway
	if got := FetchOptions(in); got != nil {
		t.Errorf("FetchOptions from the egress gateway pod = %d options, want none: the trace may walk it as the gateway", len(got))
	}
}
