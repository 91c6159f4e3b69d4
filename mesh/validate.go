package mesh

import (
	"fmt"
	"math"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Values of Istio specs that decode but that istiod (and the API server's CRD schema)
// would reject, checked after decoding so a wrong number never reaches the trace:
//
//   - ports: every integer field named number, port or targetPort, and the ports map of
//     WorkloadEntry endpoints, must lie in 0–65535 (0 is proto3's "unset"); the number of
//     a ServiceEntry port or a Gateway server port is required, so 1–65535;
//   - durations (connectTimeout, timeout, interval...) must be non-negative and fit a Go
//     time.Duration, which is how Istio and we read them.

// maxDurationSeconds is the largest whole number of seconds a time.Duration holds.
const maxDurationSeconds = math.MaxInt64 / int64(time.Second)

// portFields are the proto names of the integer fields that hold a port.
var portFields = map[protoreflect.Name]bool{"number": true, "port": true, "target_port": true}

// requiredPortNumber are the messages whose number is a port that must be set.
var requiredPortNumber = map[protoreflect.FullName]bool{
	"istio.networking.v1alpha3.ServicePort": true, // ServiceEntry spec.ports[]
	"istio.networking.v1alpha3.Port":        true, // Gateway spec.servers[].port
}

// validateSpec checks the ports and durations of an Istio spec; path is "spec". The
// first problem is returned, naming the field: spec.ports[0].number: 70000 is outside 1-65535.
func validateSpec(m protoreflect.Message, path string) error {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		p := path + "." + fd.JSONName()
		if fd.Name() == "number" && requiredPortNumber[m.Descriptor().FullName()] && !m.Has(fd) {
			return fmt.Errorf("%s: 0 is outside 1-65535", p)
		}
		if !m.Has(fd) {
			continue
		}
		if err := validateField(fd, m.Get(fd), p); err != nil {
			return err
		}
	}
	return nil
}

func validateField(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) error {
	switch {
	case fd.IsList():
		l := v.List()
		for i := 0; i < l.Len(); i++ {
			if err := validateValue(fd, l.Get(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case fd.IsMap():
		var err error
		v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			err = validateValue(fd.MapValue(), mv, fmt.Sprintf("%s[%s]", path, k.String()))
			return err == nil
		})
		return err
	default:
		return validateValue(fd, v, path)
	}
	return nil
}

// validateValue checks one value of field fd (for a map, fd is the map's value field).
func validateValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, path string) error {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if fd.Message().FullName() == "google.protobuf.Duration" {
			return validateDuration(v.Message(), path)
		}
		return validateSpec(v.Message(), path)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if isPortField(fd) && v.Uint() > 65535 {
			return fmt.Errorf("%s: %d is outside 1-65535", path, v.Uint())
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if isPortField(fd) && (v.Int() < 0 || v.Int() > 65535) {
			return fmt.Errorf("%s: %d is outside 1-65535", path, v.Int())
		}
	}
	return nil
}

// isPortField reports whether fd (or, for a map value, its map field) holds a port.
func isPortField(fd protoreflect.FieldDescriptor) bool {
	if entry := fd.ContainingMessage(); entry != nil && entry.IsMapEntry() {
		// A map value: map entry messages are named after their field, so the ports map
		// of WorkloadEntry (map<string, uint32>) has entries named PortsEntry.
		return entry.Name() == "PortsEntry"
	}
	return portFields[fd.Name()]
}

// validateDuration checks that a google.protobuf.Duration is non-negative and fits a Go
// time.Duration.
func validateDuration(m protoreflect.Message, path string) error {
	fields := m.Descriptor().Fields()
	secs := m.Get(fields.ByName("seconds")).Int()
	nanos := m.Get(fields.ByName("nanos")).Int()
	text := fmt.Sprintf("%ds", secs)
	if nanos != 0 {
		text = fmt.Sprintf("%d.%09ds", secs, abs(nanos))
	}
	switch {
	case secs < 0 || nanos < 0:
		return fmt.Errorf("%s: %s is negative", path, text)
	case secs > maxDurationSeconds || (secs == maxDurationSeconds && nanos > math.MaxInt64%int64(time.Second)):
		return fmt.Errorf("%s: %s overflows a duration (at most %s)", path, text, time.Duration(math.MaxInt64).Truncate(time.Second))
	}
	return nil
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
