package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestDownloadsNamedAfterTheSong(t *testing.T) {
	t.Parallel()
	c := setup(t).newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 440)}, []string{"a.wav"}, http.StatusCreated, nil)
	c.waitJob(c.render())
	for _, tc := range []struct{ query, want string }{
		{"", `attachment; filename="main.wav"`},
		{"?title=My%20Song", `attachment; filename="My Song - main.wav"`},
		{`?title=..%2F..%2Fevil%22%0D%0AX:%20y`, `attachment; filename="evil_X_ y - main.wav"`},
	} {
		res, err := http.DefaultClient.Do(c.request("GET", c.p("/outputs/main.wav"+tc.query), nil, ""))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Disposition"); got != tc.want {
			t.Errorf("title %q: %s, want %s", tc.query, got, tc.want)
		}
	}
	data := c.do("GET", c.p("/outputs.zip?title=My%20Song"), nil, "", http.StatusOK, nil)
	if !bytes.Contains(data, []byte("My Song - main.wav")) {
		t.Error("the zip's files are not named after the song")
	}
}

func TestSongTitleKeptWithTheProject(t *testing.T) {
	t.Parallel()
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
