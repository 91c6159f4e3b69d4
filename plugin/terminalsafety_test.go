package plugin_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kubectl-egress/kubectl-egress/plugin"
	"github.com/kubectl-egress/kubectl-egress/secrets"
	"github.com/kubectl-egress/kubectl-egress/trace"
)

// forgedName is a pod or route name that tries to forge a finding row on the terminal,
// then carries every class of character that must not reach it.
const forgedName = "sleep-abc\nError   EGR0101   -   forged\r\x1b[2K\x07\x7f\u0085\u2028\u2029\u202e\u2066\t."

// quoted is s as a JSON string, which is also a YAML double-quoted scalar (with DEL and
// C1 controls escaped too: YAML readers refuse them raw).
func quoted(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, r := range string(b) {
		if r >= 0x7f && r <= 0x9f {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}

// forgedScenario copies gateway-tls-origination with the client pod renamed to forgedName
// (manifests and dump) and the client's virtual host edition.cnn.com:80 renamed too. It
// returns the directory and the --dump flag for the client.
func forgedScenario(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(scenario("gateway-tls-origination"))); err != nil {
		t.Fatal(err)
	}
	const pod = "sleep-7b4c9d8f6-abcde"
	rewrite := func(path string, edit func(string) string) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(edit(string(data))), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rewrite(filepath.Join(dir, "manifests", "10-sleep.yaml"), func(s string) string {
		return strings.ReplaceAll(s, "name: "+pod, "name: "+quoted(t, forgedName))
	})
	oldDump := filepath.Join(dir, "dumps", "default", pod+".json")
	rewrite(oldDump, func(s string) string {
		esc := strings.Trim(quoted(t, forgedName), `"`)
		s = strings.ReplaceAll(s, `"name": "edition.cnn.com:80"`, `"name": "`+esc+`"`)
		return strings.ReplaceAll(s, pod, esc)
	})
	newDump := filepath.Join(t.TempDir(), "client.json")
	if err := os.Rename(oldDump, newDump); err != nil {
		t.Fatal(err)
	}
	return dir, "default/" + forgedName + "=" + newDump
}

// badRune returns the first rune of out, other than a newline, that must not reach a
// terminal: C0/C1 controls, DEL, line separators, bidi controls, invalid UTF-8.
func badRune(out string) (rune, bool) {
	for i, r := range out {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(out[i:]); size <= 1 {
				return r, true
			}
		}
		switch {
		case r == '\n':
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == 0x2028, r == 0x2029,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}

// tableLines is how many lines the table output of r has: the header lines, then a blank
// line, a header and a row per hop, then the same for findings.
func tableLines(r *trace.Report) int {
	n := 2
	for _, present := range []bool{r.Verdict.Response != "", len(r.Verdict.Missing) > 0, len(r.Inputs.MissingDumps) > 0} {
		if present {
			n++
		}
	}
	if len(r.Hops) > 0 {
		n += 2 + len(r.Hops)
	}
	if len(r.Findings) > 0 {
		n += 2 + len(r.Findings)
	}
	return n
}

// TestForgedNamesCannotForgeRows traces from a pod whose name, and a route whose name in
// the dump, carry a line break and a fake finding row: the table and wide outputs have
// exactly one line per hop and finding, pictures keep their line count, the JSON keeps
// the name exactly, and nothing on stdout or stderr carries a control character.
func TestForgedNamesCannotForgeRows(t *testing.T) {
	dir, dump := forgedScenario(t)
	base := []string{"trace", "http://edition.cnn.com", "--from", "deploy/sleep", "-f", dir, "--dump", dump}
	stdout, stderr, code := runMain(t, append(append(base, "-o", "json"), noCluster...)...)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("-o json: exit %d\n%s", code, stderr)
	}
	var r trace.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if r.From.Pod != forgedName || !strings.Contains(stdout, `forged\r\u001b[2K`) {
		t.Fatalf("-o json from.pod = %q, want the name exactly", r.From.Pod)
	}
	plain := map[string]int{}
	for _, format := range []string{"mermaid", "dot"} {
		out, _, _ := runMain(t, "trace", "http://edition.cnn.com", "--from", "deploy/sleep", "-f", scenario("gateway-tls-origination"), "-o", format, noCluster[0], noCluster[1])
		plain[format] = strings.Count(out, "\n")
	}
	for _, format := range []string{"table", "wide", "mermaid", "dot"} {
		t.Run(format, func(t *testing.T) {
			stdout, stderr, code := runMain(t, append(append(base, "-o", format), noCluster...)...)
			if code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			want, ok := plain[format]
			if !ok {
				want = tableLines(&r)
			}
			if got := strings.Count(stdout, "\n"); got != want {
				t.Errorf("-o %s wrote %d lines, want %d:\n%s", format, got, want, stdout)
			}
			if strings.Contains(stdout, "\nError   EGR0101   -   forged") {
				t.Errorf("-o %s starts a forged row:\n%s", format, stdout)
			}
			for name, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
				if r, bad := badRune(s); bad {
					t.Errorf("-o %s: %s carries %U:\n%q", format, name, r, s)
				}
			}
		})
	}
}

// secretsTableLines is how many lines check-secrets' table output of r has: a header and a
// row per credential, then a blank line and a line per finding (two with a fix).
func secretsTableLines(r *secrets.Report) int {
	n := 1 + len(r.Credentials)
	if len(r.Findings) > 0 {
		n++
	}
	for _, f := range r.Findings {
		n++
		if f.Fix != "" {
			n++
		}
	}
	return n
}

// TestForgedCredentialName: check-secrets over a DestinationRule whose credentialName is
// forged writes one row per credential and one line per finding, with no control
// character, in table and wide output.
func TestForgedCredentialName(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(scenario("gateway-mtls-origination"))); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "manifests", "50-istio-config.yaml")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "credentialName: client-credential", "credentialName: "+quoted(t, forgedName), 1)
	if err := os.WriteFile(f, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"check-secrets", "-A", "-f", dir}, noCluster...)
	stdout, stderr, code := runMain(t, append(args, "-o", "json")...)
	if code != plugin.ExitOK && code != plugin.ExitFindings {
		t.Fatalf("-o json: exit %d\n%s", code, stderr)
	}
	var r secrets.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(r.Credentials, func(c secrets.Credential) bool { return c.Name == forgedName }) {
		t.Fatalf("no credential named %q in the report", forgedName)
	}
	for _, format := range []string{"table", "wide"} {
		t.Run(format, func(t *testing.T) {
			stdout, stderr, code := runMain(t, append(args, "-o", format)...)
			if code != plugin.ExitOK && code != plugin.ExitFindings {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if got, want := strings.Count(stdout, "\n"), secretsTableLines(&r); got != want {
				t.Errorf("-o %s wrote %d lines, want %d:\n%s", format, got, want, stdout)
			}
			for name, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
				if r, bad := badRune(s); bad {
					t.Errorf("-o %s: %s carries %U:\n%q", format, name, r, s)
				}
			}
		})
	}
}

// TestForgedNamesInErrors: a one-line error that names an object from the arguments or
// the files stays one line, with no control character.
func TestForgedNamesInErrors(t *testing.T) {
	dir, dump := forgedScenario(t)
	runs := map[string][]string{
		"pod not found":      {"trace", "edition.cnn.com", "--from", "pod/" + strings.ReplaceAll(forgedName, "sleep-abc", "nope"), "-f", dir, "--dump", dump},
		"dump unreadable":    {"trace", "edition.cnn.com", "--from", "deploy/sleep", "-f", dir, "--dump", dump + ".missing"},
		"check-secrets dump": {"check-secrets", "-A", "-f", dir, "--dump", dump + ".missing"},
	}
	for name, args := range runs {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := runMain(t, append(args, noCluster...)...)
			if code == plugin.ExitOK {
				t.Fatalf("exit 0, want an error")
			}
			if n := strings.Count(stderr, "\n"); n != 1 || !strings.HasPrefix(stderr, "error: ") {
				t.Errorf("stderr has %d lines, want one error line:\n%s", n, stderr)
			}
			if r, bad := badRune(stderr); bad {
				t.Errorf("stderr carries %U:\n%q", r, stderr)
			}
		})
	}
}
