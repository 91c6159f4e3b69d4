package envoy

import (
	"errors"
	"fmt"
)

// ErrUnreadable is the sentinel every input error wraps: the bytes are not a
// readable Envoy v3 /config_dump. The CLI maps it to the "unreadable input" exit code.
var ErrUnreadable = errors.New("unreadable envoy config dump")

// InputKind says what the input turned out to be.
type InputKind string

// Kinds of unreadable input.
const (
	InputEmpty          InputKind = "empty"
	InputBinary         InputKind = "binary"
	InputTruncated      InputKind = "truncated"
	InputSyntax         InputKind = "syntax"
	InputClusters       InputKind = "clusters"        // admin /clusters output
	InputListeners      InputKind = "listeners"       // admin /listeners output
	InputStats          InputKind = "stats"           // admin /stats output
	InputIstioctlArray  InputKind = "istioctl-array"  // istioctl proxy-config <kind> -o json
	InputIstioctlPart   InputKind = "istioctl-part"   // istioctl proxy-config bootstrap|secret -o json
	InputV2Alpha        InputKind = "v2alpha"         // Envoy < 1.13 admin format
	InputKubernetes     InputKind = "kubernetes"      // a Kubernetes object
	InputOtherJSON      InputKind = "other-json"      // JSON of another shape
	InputNotJSON        InputKind = "not-json"        // text that is none of the above
	InputInvalidSection InputKind = "invalid-section" // a configs entry protojson rejects
)

// InputError describes unreadable input in one line. It wraps ErrUnreadable.
type InputError struct {
	Kind   InputKind
	Offset int64 // byte offset of the problem, -1 when not applicable
	Msg    string
	Err    error // underlying decoder error, if any
}

func (e *InputError) Error() string { return e.Msg }

// Unwrap returns ErrUnreadable and the underlying error.
func (e *InputError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrUnreadable, e.Err}
	}
	return []error{ErrUnreadable}
}

func inputErr(kind InputKind, format string, args ...any) *InputError {
	return &InputError{Kind: kind, Offset: -1, Msg: fmt.Sprintf(format, args...)}
}

const hintFullDump = `; save the full dump with "kubectl exec POD -c istio-proxy -- pilot-agent request GET config_dump" or "istioctl proxy-config all POD -o json"`
