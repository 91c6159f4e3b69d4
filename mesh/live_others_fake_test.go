package mesh

import (
	"context"
	"testing"

	istiofake "istio.io/client-go/pkg/clientset/versioned/fake"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// TestLoadOthersWithoutDiscovery: a server without aggregated discovery gets one LIST per
// kind and version tried, a 404 moving to the next version and, after the last, to the
// next kind; a TLSRoute served only as v1alpha2 (Gateway API before v1.5) is still read.
func TestLoadOthersWithoutDiscovery(t *testing.T) {
	listKinds := map[schema.GroupVersionResource]string{}
	for _, k := range OtherKinds {
		for _, v := range k.Versions {
			listKinds[schema.GroupVersionResource{Group: k.Group, Version: v, Resource: k.Resource}] = k.Kind + "List"
		}
	}
	dyn := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds)
	var listed []string
	dyn.PrependReactor("list", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
		gvr := a.GetResource()
		listed = append(listed, gvr.Resource+"/"+gvr.Version)
		if gvr.Resource == "tlsroutes" && gvr.Version == "v1alpha2" {
			u := &unstructured.Unstructured{}
			u.SetAPIVersion(GatewayAPIGroup + "/v1alpha2")
			u.SetKind("TLSRoute")
			u.SetNamespace("default")
			u.SetName("old")
			u.Object["spec"] = map[string]any{"hostnames": []any{"edition.cnn.com"}}
			return true, &unstructured.UnstructuredList{Items: []unstructured.Unstructured{*u}}, nil
		}
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: gvr.Group, Resource: gvr.Resource}, "")
	})
	l := NewLive(kubefake.NewClientset(), istiofake.NewSimpleClientset(), nil).WithDynamic(dyn)
	if err := l.LoadOthers(context.Background()); err != nil {
		t.Fatalf("LoadOthers: %v", err)
	}
	want := 0
	for _, k := range OtherKinds {
		want += len(k.Versions) // TLSRoute's v1alpha2, found, is its last version
	}
	if len(listed) != want || l.Requests() != int64(want) {
		t.Errorf("listed %d times (%v), Requests() = %d, want %d", len(listed), listed, l.Requests(), want)
	}
	o := l.Snapshot().Others[otherKey(GatewayAPIGroup, "TLSRoute", "default", "old")]
	if o == nil || len(o.Hostnames) != 1 || o.Hostnames[0] != "edition.cnn.com" {
		t.Errorf("TLSRoute default/old = %+v, want it recorded with hostname edition.cnn.com", o)
	}
	if len(l.Snapshot().Unchecked) != 0 {
		t.Errorf("Unchecked = %+v, want none (404 is not installed, not forbidden)", l.Snapshot().Unchecked)
	}
}
