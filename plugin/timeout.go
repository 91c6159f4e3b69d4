package plugin

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// defaultRequestTimeout applies to every API server request when --request-timeout is not
// given (kubectl's own default is none): an API server that accepts connections and never
// answers ends the command with a clear error instead of a hang.
const defaultRequestTimeout = "30s"

func setRequestTimeoutDefault(flags *genericclioptions.ConfigFlags) {
	if flags.Timeout != nil {
		*flags.Timeout = defaultRequestTimeout
	}
}

// describeTimeout rewrites an API server request that timed out (client-go's
// "Client.Timeout exceeded" url.Error) as what happened and what to do, keeping what the
// command was doing; other errors are returned as they are.
func describeTimeout(err error, cmd *cobra.Command) error {
	var ue *url.Error
	if err == nil || !errors.As(err, &ue) || !ue.Timeout() {
		return err
	}
	server := ue.URL
	if u, perr := url.Parse(ue.URL); perr == nil {
		server = u.Scheme + "://" + u.Host
	}
	timeout := defaultRequestTimeout
	if f := cmd.PersistentFlags().Lookup("request-timeout"); f != nil {
		timeout = f.Value.String()
	}
	prefix, _, _ := strings.Cut(err.Error(), ue.Error())
	msg := fmt.Sprintf("%sthe API server at %s did not answer within %s (--request-timeout); check that it is up and reachable, or raise --request-timeout", prefix, server, timeout)
	if strings.Contains(ue.Err.Error(), "TLS handshake timeout") {
		// client-go's transport gives the handshake 10s of its own, whatever the flag.
		msg = fmt.Sprintf("%sthe API server at %s accepted the connection but did not complete the TLS handshake within 10s; check that it is up and that the kubeconfig names its HTTPS port", prefix, server)
	}
	return &timeoutError{err: err, msg: msg}
}

// timeoutError keeps the error it describes for errors.As (exit codes).
type timeoutError struct {
	err error
	msg string
}

func (e *timeoutError) Error() string { return e.msg }
func (e *timeoutError) Unwrap() error { return e.err }
