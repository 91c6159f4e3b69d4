package render

import (
	"bytes"
	"testing"
)

func TestWriteTable(t *testing.T) {
	var b bytes.Buffer
	err := WriteTable(&b, []string{"hop", "name"}, [][]string{
		{"listener", "0.0.0.0_443"},
		{"cluster", "outbound|443||edition.cnn.com\x1b[31m"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "HOP        NAME\n" +
		"listener   0.0.0.0_443\n" +
		"cluster    outbound|443||edition.cnn.com^[[31m\n"
	got := b.String()
	if got != want {
		t.Errorf("WriteTable =\n%q\nwant\n%q", got, want)
	}
}
