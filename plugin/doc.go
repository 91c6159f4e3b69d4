// Package plugin holds the cobra commands of kubectl-egress: flags, option validation and
// wiring between the load, analyse and render steps. It owns flags and I/O only; analysis
// lives in pure packages that never touch a client.
package plugin
