package plugin

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"k8s.io/klog/v2"
)

// maxVerbosity caps klog's -v. What client-go v0.37 logs per level (read in its source):
//   - k8s.io/client-go/transport/round_trippers.go, DebugWrappers and
//     debuggingRoundTripper.RoundTrip: from -v 6 the verb, URL, status and timing; 7 adds
//     request headers (Authorization masked by maskValue); 8 response headers; 9 a curl
//     command line and connection timings. Never a body.
//   - k8s.io/client-go/rest/request.go, logBody (called by Request.Do, DoRaw, Watch,
//     Stream and transformResponse): from -v 8 the request and response BODIES, as text or,
//     when not printable (protobuf), as an encoding/hex dump; truncateBody cuts them to 1 KiB
//     at 8, 10 KiB at 9 and nothing at 10. A Secret's data and a Pod's env values are in
//     those bodies.
//
// So no level above 7 may reach client-go: capVerbosity lowers it, and noBodyLogging
// refuses any request that would be sent with body logging on all the same.
const maxVerbosity = 7

// capVerbosity lowers -v to maxVerbosity, saying so on errOut.
func capVerbosity(errOut io.Writer) {
	if !klog.V(maxVerbosity + 1).Enabled() {
		return
	}
	var l klog.Level // Set sets klog's global verbosity, whatever the receiver
	_ = l.Set(strconv.Itoa(maxVerbosity))
	fmt.Fprintf(errOut, "warning: -v is capped at %d: from -v 8 client-go logs API response bodies, which hold Secrets and env values\n", maxVerbosity)
}

// bodyLogging reports whether client-go's rest.Request would log the body of a request
// made with this context (logBody logs with klog.FromContext(ctx).V(8)).
func bodyLogging(req *http.Request) bool {
	return klog.FromContext(req.Context()).V(8).Enabled()
}

// noBodyLogging wraps an API transport (rest.Config.Wrap) so that a request whose body
// client-go would log is never sent: the response would be logged with it.
func noBodyLogging(next http.RoundTripper) http.RoundTripper {
	return guardedTransport{next}
}

type guardedTransport struct{ next http.RoundTripper }

func (g guardedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if bodyLogging(req) {
		return nil, fmt.Errorf("refusing to send %s %s: client-go would log the response body at this verbosity (-v 8 or more), Secrets and env values included; use -v %d or less", req.Method, req.URL.Path, maxVerbosity)
	}
	return g.next.RoundTrip(req)
}

// WrappedRoundTripper lets client-go reach the transport below (utilnet.RoundTripperWrapper).
func (g guardedTransport) WrappedRoundTripper() http.RoundTripper { return g.next }
