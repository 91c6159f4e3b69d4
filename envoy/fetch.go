package envoy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
)

// DefaultAdminPort is the Envoy admin port of Istio proxies.
const DefaultAdminPort = 15000

// DefaultMaxAnswerBytes caps an admin answer when Fetcher.MaxBytes is 0.
const DefaultMaxAnswerBytes = 1 << 30

// DumpQuery narrows GET /config_dump so a trace of one host need not pull a whole dump.
type DumpQuery struct {
	Resource   string // e.g. dynamic_active_clusters
	Mask       string // field mask, e.g. cluster.name,cluster.transport_socket
	NameRegex  string // only resources whose name matches
	IncludeEDS bool
}

// Path is the admin request path for q. Commas stay unescaped: Envoy splits mask on them
// (an Envoy that does not URL-decode admin queries still reads a mask right).
func (q DumpQuery) Path() string {
	v := url.Values{}
	if q.Resource != "" {
		v.Set("resource", q.Resource)
	}
	if q.Mask != "" {
		v.Set("mask", q.Mask)
	}
	if q.NameRegex != "" {
		v.Set("name_regex", q.NameRegex)
	}
	if q.IncludeEDS {
		v.Set("include_eds", "")
	}
	if len(v) == 0 {
		return "/config_dump"
	}
	query := strings.ReplaceAll(v.Encode(), "include_eds=", "include_eds")
	return "/config_dump?" + strings.ReplaceAll(query, "%2C", ",")
}

// Fetcher reads proxies' Envoy admin endpoints through the API server's pods/portforward,
// as istioctl does. One forward per pod is kept open and reused until Close.
type Fetcher struct {
	Config      *rest.Config
	Pods        corev1client.PodsGetter
	AdminPort   int           // default DefaultAdminPort
	Timeout     time.Duration // per request, default 30s
	Concurrency int           // pods fetched at once by FetchAll, default 4
	// MaxBytes caps each answer (default DefaultMaxAnswerBytes): an admin that streams
	// without end is cut there with an error naming SizeFlag, the flag that raises it.
	MaxBytes int64
	SizeFlag string

	bytes    atomic.Int64
	forwards sync.Map // "ns/pod" -> *forwardOnce
}

type forwardOnce struct {
	once sync.Once
	fw   *forward
	err  error
}

// BytesFetched is the number of response bytes read from proxies so far.
func (f *Fetcher) BytesFetched() int64 { return f.bytes.Load() }

// ConfigDump fetches GET q.Path() from the pod's Envoy admin.
func (f *Fetcher) ConfigDump(ctx context.Context, namespace, pod string, q DumpQuery) ([]byte, error) {
	return f.Get(ctx, namespace, pod, q.Path())
}

// Get fetches an admin path (e.g. "/config_dump") from the pod's Envoy.
func (f *Fetcher) Get(ctx context.Context, namespace, pod, path string) ([]byte, error) {
	fw, err := f.forwardTo(ctx, namespace, pod)
	if err != nil {
		return nil, err
	}
	timeout := f.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := fw.get(ctx, path, f.answerCap())
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("GET %s from pod %s/%s: no answer from the proxy admin within %s", path, namespace, pod, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("GET %s from pod %s/%s: %w", path, namespace, pod, err)
	}
	f.bytes.Add(int64(len(body)))
	return body, nil
}

func (f *Fetcher) answerCap() *AnswerTooLargeError {
	c := &AnswerTooLargeError{Limit: f.MaxBytes, Flag: f.SizeFlag}
	if c.Limit <= 0 {
		c.Limit = DefaultMaxAnswerBytes
	}
	return c
}

// AnswerTooLargeError is an admin answer cut at the cap.
type AnswerTooLargeError struct {
	Limit int64
	Flag  string // the flag that raises it, if any
}

func (e *AnswerTooLargeError) Error() string {
	msg := fmt.Sprintf("the proxy admin's answer is larger than %s; stopped reading", resource.NewQuantity(e.Limit, resource.BinarySI))
	if e.Flag != "" {
		msg += " (raise " + e.Flag + " if the proxy's config is that big)"
	}
	return msg
}

// Close stops every open forward.
func (f *Fetcher) Close() {
	f.forwards.Range(func(k, v any) bool {
		if fo := v.(*forwardOnce); fo.fw != nil {
			fo.fw.close()
		}
		f.forwards.Delete(k)
		return true
	})
}

func (f *Fetcher) forwardTo(ctx context.Context, namespace, pod string) (*forward, error) {
	v, _ := f.forwards.LoadOrStore(namespace+"/"+pod, &forwardOnce{})
	fo := v.(*forwardOnce)
	fo.once.Do(func() {
		if fo.err = f.checkPod(ctx, namespace, pod); fo.err == nil {
			fo.fw, fo.err = openForward(f.Config, namespace, pod, f.adminPort())
		}
	})
	return fo.fw, fo.err
}

func (f *Fetcher) adminPort() int {
	if f.AdminPort == 0 {
		return DefaultAdminPort
	}
	return f.AdminPort
}

// checkPod gives clear errors for pods that cannot have an Envoy admin to read.
func (f *Fetcher) checkPod(ctx context.Context, namespace, name string) error {
	pod, err := f.Pods.Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return fmt.Errorf("pod %s/%s not found", namespace, name)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("get pod %s/%s: %w; fetching a proxy's config needs get on pods (see README, RBAC)", namespace, name, err)
	case err != nil:
		return fmt.Errorf("get pod %s/%s: %w", namespace, name, err)
	}
	if !hasIstioProxy(pod) {
		return fmt.Errorf("pod %s/%s has no istio-proxy container: it is not in the mesh (no sidecar injected), so it has no Envoy config to read", namespace, name)
	}
	return nil
}

func hasIstioProxy(pod *corev1.Pod) bool {
	for _, cs := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for _, c := range cs {
			if c.Name == "istio-proxy" {
				return true
			}
		}
	}
	return false
}

// readBody reads an answer of at most limit.Limit bytes (never more than one byte past):
// in 1 MiB chunks joined at the end, so an answer that never ends costs the cap, not the
// outgrown buffers of a growing slice, and one of a known length is read in place.
func readBody(resp *http.Response, limit *AnswerTooLargeError) ([]byte, error) {
	defer resp.Body.Close()
	if resp.ContentLength > limit.Limit {
		return nil, limit
	}
	if resp.ContentLength > 0 {
		body := make([]byte, resp.ContentLength)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return nil, err
		}
		return answer(resp, body)
	}
	var chunks [][]byte
	var total int64
	for {
		buf := make([]byte, 1<<20)
		n, err := io.ReadFull(resp.Body, buf)
		if total += int64(n); total > limit.Limit {
			return nil, limit
		}
		chunks = append(chunks, buf[:n])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return answer(resp, bytes.Join(chunks, nil))
		}
		if err != nil {
			return nil, err
		}
	}
}

// answer is the body of a 200 OK, else an *AdminError.
func answer(resp *http.Response, body []byte) ([]byte, error) {
	if resp.StatusCode != http.StatusOK {
		return nil, &AdminError{Code: resp.StatusCode, Status: resp.Status, Body: adminSnippet(body)}
	}
	return body, nil
}

// AdminError is a proxy admin's answer other than 200 OK, e.g. Envoy's 400 for a
// config_dump mask that fits no dump type.
type AdminError struct {
	Code   int
	Status string
	Body   string // the first line of the answer, shortened
}

func (e *AdminError) Error() string {
	return fmt.Sprintf("proxy admin answered %s: %s", e.Status, e.Body)
}

func adminSnippet(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
