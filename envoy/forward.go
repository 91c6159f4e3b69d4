package envoy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"
)

// forward is one open pods/portforward to a proxy's admin port on a local loopback port.
type forward struct {
	stop   chan struct{}
	base   string
	client *http.Client
}

func openForward(cfg *rest.Config, namespace, pod string, port int) (*forward, error) {
	what := fmt.Sprintf("port-forward to pod %s/%s port %d", namespace, pod, port)
	transport, upgrader, err := spdy.RoundTripperFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	u, err := podForwardURL(cfg, namespace, pod)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, u)
	fw := &forward{stop: make(chan struct{})}
	ready := make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{"0:" + strconv.Itoa(port)}, fw.stop, ready, io.Discard, io.Discard)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	done := make(chan error, 1)
	go func() { done <- pf.ForwardPorts() }()
	select {
	case err := <-done:
		return nil, forwardError(what, err)
	case <-ready:
	}
	ports, err := pf.GetPorts()
	if err != nil || len(ports) == 0 {
		close(fw.stop)
		return nil, fmt.Errorf("%s: no local port: %v", what, err)
	}
	fw.base = "http://127.0.0.1:" + strconv.Itoa(int(ports[0].Local))
	fw.client = &http.Client{Transport: &http.Transport{DisableCompression: true}}
	return fw, nil
}

func podForwardURL(cfg *rest.Config, namespace, pod string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(cfg.Host, "/") + cfg.APIPath)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/") + fmt.Sprintf("/api/v1/namespaces/%s/pods/%s/portforward", namespace, pod)
	return u, nil
}

// forwardError says what to do when the forward itself failed.
func forwardError(what string, err error) error {
	msg := fmt.Sprint(err)
	switch {
	case strings.Contains(msg, "forbidden"):
		return fmt.Errorf("%s: %v; reading proxy config needs create on pods/portforward (see README, RBAC)", what, err)
	case strings.Contains(msg, "not found"):
		return fmt.Errorf("%s: %v", what, err)
	default:
		return fmt.Errorf("%s failed: %v; is the pod running and its node reachable from the API server?", what, err)
	}
}

func (fw *forward) get(ctx context.Context, path string, limit *AnswerTooLargeError) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fw.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := fw.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	body, err := readBody(resp, limit)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return body, err
}

func (fw *forward) close() { close(fw.stop) }
