package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestSongTitleKeptWithTheProject(t *testing.T) {
	b := setup(t)
	c := b.newProject(t)
	var got titleBody
	c.do("GET", c.p("/title"), nil, "", http.StatusOK, &got)
	if got.Title != "" {
		t.Fatalf("a new project's title is %q, want none", got.Title)
	}
	for _, tc := range []struct{ put, want string }{
		{"  Café / AC\u0007DC  ", "Café / ACDC"},
		{strings.Repeat("é", 100), strings.Repeat("é", 80)},
		{"My Song", "My Song"},
	} {
		body, _ := json.Marshal(titleBody{Title: tc.put})
		c.do("PUT", c.p("/title"), bytes.NewReader(body), "application/json", http.StatusOK, &got)
		if got.Title != tc.want {
			t.Errorf("PUT %q answered %q, want %q", tc.put, got.Title, tc.want)
		}
		// Another client (another browser) reads the same title.
		var other titleBody
		c.do("GET", c.p("/title"), nil, "", http.StatusOK, &other)
		if other.Title != tc.want {
			t.Errorf("after PUT %q, GET says %q, want %q", tc.put, other.Title, tc.want)
		}
	}
	c.do("PUT", c.p("/title"), strings.NewReader(`{"title": ""}`), "application/json", http.StatusOK, &got)
	c.do("GET", c.p("/title"), nil, "", http.StatusOK, &got)
	if got.Title != "" {
		t.Errorf("cleared title reads %q", got.Title)
	}
	c.do("PUT", c.p("/title"), strings.NewReader(`not json`), "application/json", http.StatusBadRequest, nil)
	// Another project's token cannot read or set it.
	d := b.newProject(t)
	d.id = c.id
	d.do("GET", d.p("/title"), nil, "", http.StatusForbidden, nil)
}
