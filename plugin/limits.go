package plugin

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/kubectl-egress/kubectl-egress/mesh"
)

// inputLimits are the caps on what one command reads (see mesh.DefaultMaxDumpBytes):
// every dump (a file, a bundle entry, a proxy admin's answer) and a bundle's whole
// content; every manifest file and standard input.
type inputLimits struct {
	Dump     sizeValue
	Manifest sizeValue
}

const (
	dumpSizeFlag     = "--max-input-size"
	manifestSizeFlag = "--max-manifest-size"
)

func defaultLimits() inputLimits {
	return inputLimits{Dump: mesh.DefaultMaxDumpBytes, Manifest: mesh.DefaultMaxManifestBytes}
}

func (l *inputLimits) AddFlags(fs *pflag.FlagSet) {
	fs.Var(&l.Dump, dumpSizeFlag[2:], "Largest Envoy config dump read (a --dump file, a bundle entry, a proxy admin's answer) and largest bundle content, e.g. 2Gi")
	fs.Var(&l.Manifest, manifestSizeFlag[2:], "Largest manifest file, or standard input with -f -, read, e.g. 1Gi")
}

// manifests is what mesh.LoadManifests reads for -f under these limits.
func (l inputLimits) manifests(paths []string, in io.Reader) mesh.Manifests {
	return mesh.Manifests{Paths: paths, Stdin: in, MaxBytes: int64(l.Manifest), Flag: manifestSizeFlag}
}

// readDump reads one dump file under the dump cap.
func (l inputLimits) readDump(file string) ([]byte, error) {
	return mesh.ReadCapped(file, int64(l.Dump), dumpSizeFlag)
}

// sizeValue is a byte count flag written as a Kubernetes quantity (512Mi, 2Gi, 1000000).
type sizeValue int64

func (s *sizeValue) String() string { return mesh.FormatSize(int64(*s)) }
func (s *sizeValue) Type() string   { return "size" }

func (s *sizeValue) Set(v string) error {
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return fmt.Errorf("want a size such as 512Mi or 2Gi: %w", err)
	}
	n, ok := q.AsInt64()
	if !ok || n <= 0 {
		return fmt.Errorf("want a positive size such as 512Mi or 2Gi, got %s", v)
	}
	*s = sizeValue(n)
	return nil
}
