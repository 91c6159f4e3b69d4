package plugin

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/textlogger"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestNoBodyLoggingRefusesVerboseRequests: a request whose context logger would have
// client-go log bodies (V(8), rest/request.go logBody) is never sent.
func TestNoBodyLoggingRefusesVerboseRequests(t *testing.T) {
	for _, tt := range []struct {
		verbosity int
		wantSent  bool
	}{{0, true}, {7, true}, {8, false}, {10, false}} {
		sent := false
		rt := noBodyLogging(roundTripFunc(func(*http.Request) (*http.Response, error) {
			sent = true
			return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
		}))
		logger := textlogger.NewLogger(textlogger.NewConfig(textlogger.Verbosity(tt.verbosity), textlogger.Output(&bytes.Buffer{})))
		req := httptest.NewRequest(http.MethodGet, "https://127.0.0.1/api/v1/namespaces/ns/secrets/s", nil)
		_, err := rt.RoundTrip(req.WithContext(klog.NewContext(context.Background(), logger)))
		if sent != tt.wantSent || (err == nil) != tt.wantSent {
			t.Errorf("RoundTrip at V(%d): sent = %v, err = %v; want sent %v", tt.verbosity, sent, err, tt.wantSent)
		}
		if err != nil && !strings.Contains(err.Error(), "refusing to send GET /api/v1/namespaces/ns/secrets/s") {
			t.Errorf("RoundTrip at V(%d) error = %q, want it to name the request", tt.verbosity, err)
		}
	}
}

// TestVerbosityIsCapped: -v 10 runs at 7, and says so.
func TestVerbosityIsCapped(t *testing.T) {
	for _, tt := range []struct {
		v        string
		want     bool // klog.V(8) enabled after the command ran
		wantWarn bool
	}{{"10", false, true}, {"8", false, true}, {"7", false, false}} {
		var stdout, stderr bytes.Buffer
		cmd := NewCmdRoot(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &stdout, ErrOut: &stderr})
		cmd.SetArgs([]string{"version", "-v", tt.v})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("version -v %s: %v", tt.v, err)
		}
		if got := bool(klog.V(8).Enabled()); got != tt.want {
			t.Errorf("after -v %s: klog.V(8).Enabled() = %v, want %v", tt.v, got, tt.want)
		}
		if got := strings.Contains(stderr.String(), "-v is capped at 7"); got != tt.wantWarn {
			t.Errorf("-v %s: stderr %q, want the cap warning %v", tt.v, stderr.String(), tt.wantWarn)
		}
	}
	var l klog.Level
	_ = l.Set("0")
}
