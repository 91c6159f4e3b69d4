// Package render turns analysis results into what users read: kubectl-style tables, JSON,
// YAML and path pictures. It is pure: it decides nothing, only formats, and escapes every
// string that came from the cluster.
package render
