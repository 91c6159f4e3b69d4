package trace

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/kubectl-egress/kubectl-egress/envoy"
)

// defaultPath is the path traced when Input.Path is empty.
const defaultPath = "/"

// requestPath is the path of the traced request, without its query string.
func (a *analysis) requestPath() string {
	p, _, _ := strings.Cut(a.in.Path, "?")
	if p == "" {
		return defaultPath
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// pickRoute returns the first route of vh, in Envoy's order, whose path match accepts
// path. The traced request carries no headers, so a route that also matches on headers
// is passed over; notes say which were.
func pickRoute(vh *envoy.VirtualHost, path string) (*envoy.Route, []string) {
	var notes []string
	for i := range vh.Routes {
		r := &vh.Routes[i]
		if !pathMatches(r.Match, path) {
			continue
		}
		if r.Match.Headers > 0 {
			notes = append(notes, fmt.Sprintf("route %s matches path %s but also %d header matcher(s); skipped: the traced request carries no headers", routeLabel(r, i), path, r.Match.Headers))
			continue
		}
		return r, notes
	}
	return nil, notes
}

// pathMatches applies an Envoy route's path match (prefix, exact, safe_regex, path
// separated prefix) to path. CONNECT matchers never match a traced request.
func pathMatches(m envoy.RouteMatch, path string) bool {
	switch {
	case m.Connect:
		return false
	case m.Path != "":
		return path == m.Path
	case m.Regex != "":
		re, err := regexp.Compile(`^(?:` + m.Regex + `)$`)
		return err == nil && re.MatchString(path)
	case m.PathSeparatedPrefix != "":
		p := m.PathSeparatedPrefix
		return path == p || strings.HasPrefix(path, strings.TrimSuffix(p, "/")+"/")
	}
	return strings.HasPrefix(path, m.Prefix)
}

// routeLabel names a route for notes: its name, else its position.
func routeLabel(r *envoy.Route, i int) string {
	if r.Name != "" {
		return r.Name
	}
	return fmt.Sprintf("#%d", i)
}

// weightedNote lists the clusters of a weighted split that the walk does not follow.
func weightedNote(wc []envoy.WeightedCluster) string {
	if len(wc) < 2 {
		return ""
	}
	followed := heaviestWeighted(wc)
	total := 0
	for _, w := range wc {
		total += w.Weight
	}
	var others []string
	for _, w := range wc {
		if w.Name != followed {
			others = append(others, fmt.Sprintf("%s (weight %d/%d)", w.Name, w.Weight, total))
		}
	}
	return fmt.Sprintf("weighted split: followed the heaviest, %s; also sent to %s", followed, strings.Join(others, ", "))
}
