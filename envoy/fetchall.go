package envoy

import (
	"context"
	"slices"
	"sync"
)

// PodRef names a proxy's pod.
type PodRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

func (p PodRef) String() string { return p.Namespace + "/" + p.Name }

// FetchResult is one pod's answer in FetchAll: the bytes or why there are none.
type FetchResult struct {
	Pod  PodRef
	Data []byte
	Err  error
}

// FetchAll fetches q from every pod, at most Concurrency at a time, and returns the
// results in the order of pods. A failure of one pod does not stop the others.
func (f *Fetcher) FetchAll(ctx context.Context, pods []PodRef, q DumpQuery, progress func(PodRef, error)) []FetchResult {
	out := make([]FetchResult, len(pods))
	f.each(pods, func(i int, p PodRef) {
		data, err := f.ConfigDump(ctx, p.Namespace, p.Name, q)
		out[i] = FetchResult{Pod: p, Data: data, Err: err}
		if progress != nil {
			progress(p, err)
		}
	})
	return out
}

// HostResult is one pod's answer in FetchAllForHost.
type HostResult struct {
	Pod PodRef
	HostFetch
	Err error
}

// FetchAllForHost reads from every pod what a trace of host on port needs (FetchForHost
// with opts), or the whole dump when full, at most Concurrency pods at a time, over one
// port-forward per pod; results are in the order of pods.
func (f *Fetcher) FetchAllForHost(ctx context.Context, pods []PodRef, host string, port int, full bool, opts ...HostOption) []HostResult {
	out := make([]HostResult, len(pods))
	f.each(pods, func(i int, p PodRef) {
		get := f.AdminGet(p.Namespace, p.Name)
		var hf HostFetch
		var err error
		if full {
			hf.Data, err = get(ctx, FullDumpQuery.Path())
			hf.Full, hf.Requests, hf.Bytes = true, 1, int64(len(hf.Data))
		} else {
			hf, err = FetchForHost(ctx, get, host, port, append(slices.Clip(opts), OnPod(p))...)
		}
		out[i] = HostResult{Pod: p, HostFetch: hf, Err: err}
	})
	return out
}

// AdminGet is an AdminGet for one pod's admin, through the pod's forward.
func (f *Fetcher) AdminGet(namespace, pod string) AdminGet {
	return func(ctx context.Context, path string) ([]byte, error) {
		return f.Get(ctx, namespace, pod, path)
	}
}

// each runs fn for every pod, at most Concurrency (default 4) at a time.
func (f *Fetcher) each(pods []PodRef, fn func(int, PodRef)) {
	n := f.Concurrency
	if n <= 0 {
		n = 4
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, p := range pods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			fn(i, p)
		}()
	}
	wg.Wait()
}
