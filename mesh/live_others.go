package mesh

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	apidiscoveryv2 "k8s.io/api/apidiscovery/v2"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// WithDynamic sets the client LoadOthers lists with and returns l.
func (l *Live) WithDynamic(d dynamic.Interface) *Live {
	l.dyn = d
	return l
}

// LoadOthers records every object of the OtherKinds (EnvoyFilters, Gateway API routes, ...)
// in all namespaces, read with the dynamic client. One GET of the API server's aggregated
// discovery (/apis) says which of them are installed and at which version, then one LIST
// per installed kind; a server without aggregated discovery gets a LIST per kind and
// version instead, a 404 meaning "not installed". A forbidden kind is recorded in
// Snapshot.Unchecked for the trace to warn of, not an error.
func (l *Live) LoadOthers(ctx context.Context) error {
	if l.dyn == nil {
		return fmt.Errorf("list EnvoyFilters, Gateway API routes and other kinds: no dynamic client")
	}
	served, ok := l.servedOthers(ctx)
	for _, k := range OtherKinds {
		versions := k.Versions
		if ok {
			if versions = served[k.Group+"/"+k.Resource]; len(versions) == 0 {
				continue // CRD not installed
			}
		}
		if err := l.loadOtherKind(ctx, k, versions); err != nil {
			return err
		}
	}
	return nil
}

// aggregatedDiscovery asks for the whole discovery document in one response.
const aggregatedDiscovery = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

// servedOthers maps "group/resource" of each served OtherKind to the version to list
// (the first of its Versions served, else the server's preferred). ok is false when the
// server does not answer aggregated discovery.
func (l *Live) servedOthers(ctx context.Context) (map[string][]string, bool) {
	rc := l.kube.Discovery().RESTClient()
	if rc == nil {
		return nil, false
	}
	l.count()
	raw, err := rc.Get().AbsPath("/apis").SetHeader("Accept", aggregatedDiscovery).Do(ctx).Raw()
	var list apidiscoveryv2.APIGroupDiscoveryList
	if err != nil || json.Unmarshal(raw, &list) != nil || list.Kind != "APIGroupDiscoveryList" {
		return nil, false
	}
	versions := map[string][]string{}
	for _, g := range list.Items {
		for _, v := range g.Versions {
			for _, r := range v.Resources {
				key := g.Name + "/" + r.Resource
				versions[key] = append(versions[key], v.Version)
			}
		}
	}
	out := map[string][]string{}
	for _, k := range OtherKinds {
		key := k.Group + "/" + k.Resource
		if vs := versions[key]; len(vs) > 0 {
			out[key] = []string{pickVersion(k.Versions, vs)}
		}
	}
	return out, true
}

// pickVersion is the first of want that is served, else the server's preferred version.
func pickVersion(want, served []string) string {
	for _, v := range want {
		if slices.Contains(served, v) {
			return v
		}
	}
	return served[0]
}

// loadOtherKind lists one kind, trying versions in order while they are not found.
func (l *Live) loadOtherKind(ctx context.Context, k OtherKind, versions []string) error {
	for _, v := range versions {
		l.count()
		gvr := schema.GroupVersionResource{Group: k.Group, Version: v, Resource: k.Resource}
		list, err := l.dyn.Resource(gvr).Namespace(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
		switch {
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
			continue
		case apierrors.IsForbidden(err):
			l.snap.Unchecked = append(l.snap.Unchecked, Unchecked{Group: k.Group, Kind: k.Kind,
				Reason: "forbidden: the trace needs list on " + k.Resource + "." + k.Group})
			return nil
		case err != nil:
			return apiError("list", k.Resource+"."+k.Group+" in all namespaces", k.Resource+"."+k.Group, err)
		}
		for i := range list.Items {
			l.addOther(&list.Items[i], k, v)
		}
		return nil
	}
	return nil
}

// addOther records one listed object under its kind's group, version and kind.
func (l *Live) addOther(u *unstructured.Unstructured, k OtherKind, version string) {
	u.SetGroupVersionKind(schema.GroupVersionKind{Group: k.Group, Version: version, Kind: k.Kind})
	if l.OnObject != nil {
		l.OnObject(u)
	}
	_ = l.snap.add(u, liveOrigin, false)
}
