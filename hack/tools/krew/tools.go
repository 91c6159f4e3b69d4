//go:build tools

// Package krewtools pins krew and its manifest validator, built by hack/tools/build.sh.
package krewtools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
