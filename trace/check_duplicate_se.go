package trace

import (
	"fmt"
	"strings"
)

var checkDuplicateSE = check{
	code: "EGR0106", level: LevelWarning, class: "A5",
	title: "Several ServiceEntries declare the host and port",
	doc: "When several ServiceEntries visible to one namespace declare the same host and port, istiod keeps one " +
		"(the oldest) and ignores the others' ports, protocols and resolution.",
	run: runDuplicateSE,
}

func runDuplicateSE(a *analysis) []issue {
	var names []string
	for _, se := range a.intent.SEs {
		for _, p := range se.Spec.GetPorts() {
			if int(p.GetNumber()) == a.target.Port {
				names = append(names, fmt.Sprintf("%s (%s)", seName(se), p.GetProtocol()))
				break
			}
		}
	}
	if len(names) < 2 {
		return nil
	}
	return one(issue{object: strings.Split(names[0], " (")[0], hop: -1,
		message: fmt.Sprintf("%d ServiceEntries declare %s:%d for namespace %s: %s; only one is used", len(names), a.target.Host, a.target.Port, a.clientNS, strings.Join(names, ", ")),
		fix:     "keep one ServiceEntry per host and port, or limit the others with exportTo"})
}
