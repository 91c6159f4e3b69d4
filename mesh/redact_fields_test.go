package mesh

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// marker fills every string of an object with a distinct value naming its field path.
type marker struct{ paths map[string]string }

func (m *marker) mark(path string) string {
	s := fmt.Sprintf("m%dx", len(m.paths))
	m.paths[s] = path
	return s
}

// fill sets every exported string, map entry and list of v (one element each) to marked
// values, to a bounded depth.
func (m *marker) fill(v reflect.Value, path string, depth int) {
	if depth > 14 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		m.fill(v.Elem(), path, depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if f.IsExported() && v.Field(i).CanSet() {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				m.fill(v.Field(i), path+"."+name, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes([]byte(m.mark(path)))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		m.fill(v.Index(0), path+"[]", depth+1)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		val := reflect.New(v.Type().Elem()).Elem()
		m.fill(val, path+"{}", depth+1)
		v.SetMapIndex(reflect.ValueOf(m.mark(path+"{key}")).Convert(v.Type().Key()), val)
	case reflect.String:
		v.SetString(m.mark(path))
	}
}

var markerRE = regexp.MustCompile(`m\d+x`)

// survivors returns the field paths whose marked values are in obj's JSON.
func (m *marker) survivors(t *testing.T, obj runtime.Object) []string {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, s := range markerRE.FindAllString(string(b), -1) {
		set[m.paths[s]] = true
	}
	return SortedKeys(set)
}

// TestRedactKeepsOnlyReadFields fills every string field of each kind with a marker and
// checks which survive mesh.Redact: exactly the allowlisted ones. A field copied by
// accident (a whole struct, say) shows up here as an unexpected path.
func TestRedactKeepsOnlyReadFields(t *testing.T) {
	meta := []string{"..apiVersion", "..kind", ".metadata.annotations{}", ".metadata.labels{key}", ".metadata.labels{}", ".metadata.name", ".metadata.namespace",
		".metadata.ownerReferences[].apiVersion", ".metadata.ownerReferences[].kind", ".metadata.ownerReferences[].name", ".metadata.ownerReferences[].uid"}
	podSpec := func(p string) []string {
		var out []string
		for _, c := range []string{"containers", "initContainers"} {
			for _, f := range []string{"env[].name", "image", "name", "ports[].hostIP", "ports[].name", "ports[].protocol", "restartPolicy"} {
				out = append(out, p+"."+c+"[]."+f)
			}
		}
		return append(out, p+".nodeName", p+".serviceAccountName")
	}
	statuses := []string{".status.conditions[].status", ".status.conditions[].type", ".status.containerStatuses[].image", ".status.containerStatuses[].name",
		".status.hostIP", ".status.initContainerStatuses[].image", ".status.initContainerStatuses[].name", ".status.phase", ".status.podIP", ".status.podIPs[].ip"}
	tmplMeta := []string{".spec.template.metadata.annotations{}", ".spec.template.metadata.labels{key}", ".spec.template.metadata.labels{}",
		".spec.template.metadata.name", ".spec.template.metadata.namespace", ".spec.template.metadata.ownerReferences[].apiVersion",
		".spec.template.metadata.ownerReferences[].kind", ".spec.template.metadata.ownerReferences[].name", ".spec.template.metadata.ownerReferences[].uid"}
	selector := []string{".spec.selector.matchExpressions[].key", ".spec.selector.matchExpressions[].operator", ".spec.selector.matchExpressions[].values[]",
		".spec.selector.matchLabels{key}", ".spec.selector.matchLabels{}"}
	istioCM := &corev1.ConfigMap{}
	for _, tt := range []struct {
		name string
		obj  runtime.Object
		want []string
	}{
		{"Pod", &corev1.Pod{}, concat(meta, podSpec(".spec"), statuses)},
		{"Namespace", &corev1.Namespace{}, meta},
		{"Service", &corev1.Service{}, concat(meta, []string{".spec.clusterIP", ".spec.clusterIPs[]", ".spec.externalName", ".spec.ports[].appProtocol",
			".spec.ports[].name", ".spec.ports[].protocol", ".spec.selector{key}", ".spec.selector{}", ".spec.type"})},
		{"Deployment", &appsv1.Deployment{}, concat(meta, selector, tmplMeta, podSpec(".spec.template.spec"))},
		{"ConfigMap", &corev1.ConfigMap{}, meta},
		{"ConfigMap istio", istioCM, concat(slices.DeleteFunc(slices.Clone(meta), func(p string) bool { return p == ".metadata.name" }), []string{".data{}"})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &marker{paths: map[string]string{}}
			m.fill(reflect.ValueOf(tt.obj).Elem(), "", 0)
			setKeptAnnotations(m, tt.obj)
			if tt.obj == istioCM {
				istioCM.Name = meshConfigMapName
				istioCM.Data = map[string]string{meshConfigKey: "rootNamespace: " + m.mark(".data{}"), "other": m.mark(".data{other}")}
			}
			got := m.survivors(t, Redact(tt.obj))
			if want := sortedCopy(tt.want); !slices.Equal(got, want) {
				t.Errorf("Redact(%s) keeps fields %q, want %q", tt.name, got, want)
			}
		})
	}
}

// setKeptAnnotations gives the object (and a Deployment's template) the annotations
// Redact keeps, as marked values, after fill gave it only an unknown one.
func setKeptAnnotations(m *marker, obj runtime.Object) {
	set := func(meta *map[string]string, path string) {
		*meta = map[string]string{SidecarStatusAnnotation: m.mark(path), "unknown": m.mark(path + "{unknown}")}
	}
	switch o := obj.(type) {
	case *corev1.Pod:
		set(&o.Annotations, ".metadata.annotations{}")
	case *appsv1.Deployment:
		set(&o.Annotations, ".metadata.annotations{}")
		set(&o.Spec.Template.Annotations, ".spec.template.metadata.annotations{}")
	case *corev1.Service:
		set(&o.Annotations, ".metadata.annotations{}")
	case *corev1.Namespace:
		set(&o.Annotations, ".metadata.annotations{}")
	case *corev1.ConfigMap:
		set(&o.Annotations, ".metadata.annotations{}")
	}
}

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return slices.Compact(out)
}
