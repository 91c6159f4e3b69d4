package envoyadmin

import (
	"net/http"
	"time"
)

// Endless is a misbehaving admin: it answers every request 200 with a body that never
// ends (the start of a config dump, then whitespace), until the client goes away.
func Endless() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if _, err := w.Write([]byte(`{"configs": [`)); err != nil {
			return
		}
		pad := make([]byte, writeChunk)
		for i := range pad {
			pad[i] = ' '
		}
		for r.Context().Err() == nil {
			if _, err := w.Write(pad); err != nil {
				return
			}
		}
	})
}

// Silent is a misbehaving admin: it accepts every request and never answers, until the
// client goes away (or a minute has passed).
func Silent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	})
}
