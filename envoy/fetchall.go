package envoy

import (
	"context"
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
	n := f.Concurrency
	if n <= 0 {
		n = 4
	}
	out := make([]FetchResult, len(pods))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, p := range pods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			data, err := f.ConfigDump(ctx, p.Namespace, p.Name, q)
			out[i] = FetchResult{Pod: p, Data: data, Err: err}
			if progress != nil {
				progress(p, err)
			}
		}()
	}
	wg.Wait()
	return out
}
