package secrets

import (
	"fmt"
	"strings"
)

// CatalogueMarkdown renders the findings catalogue as docs/secrets-findings.md.
func CatalogueMarkdown() string {
	var b strings.Builder
	b.WriteString(`# check-secrets findings

` + "`kubectl egress check-secrets`" + ` reports these coded findings (EGR0450–EGR0499; EGR0401–EGR0449
belong to ` + "`trace`" + `). Class refers to the failure classes of EGRESS-FAILURES.md. The command
exits with 79 when a finding reaches ` + "`--failure-threshold`" + ` (default Error).
This page is generated from ` + "`secrets.Catalogue`" + `; a test keeps it in sync
(` + "`UPDATE_GOLDEN=1 go test ./secrets/ -run TestDocsInSync`" + ` regenerates it).

| Code | Name | Level | Class | Meaning |
|---|---|---|---|---|
`)
	for _, r := range Catalogue {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Code, r.Name, r.Level, r.Class, r.Summary)
	}
	return b.String()
}
