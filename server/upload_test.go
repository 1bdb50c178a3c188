package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"stemmaster/store"
)

func TestFileCountLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	wav := wavBytes(t, 480, 100)
	for i := 0; i < b.limits.MaxFiles; i++ {
		name := fmt.Sprintf("stem%d.wav", i)
		c.upload("stems", map[string][]byte{name: wav}, []string{name}, http.StatusCreated, nil)
	}
	var e apiError
	c.upload("stems", map[string][]byte{"one-more.wav": wav}, []string{"one-more.wav"}, http.StatusRequestEntityTooLarge, &e)
	if e.Error.Code != "too_many_files" {
		t.Errorf("code %q", e.Error.Code)
	}
	// Re-uploading an existing name replaces it and is not counted twice.
	c.upload("stems", map[string][]byte{"stem0.wav": wav}, []string{"stem0.wav"}, http.StatusCreated, nil)
}

func TestUploadSanitisesNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	var up struct{ Files []FileInfo }
	c.upload("stems", map[string][]byte{`..\..\evil/../../etc/lead vox (final).wav`: wavBytes(t, 480, 100)}, []string{`..\..\evil/../../etc/lead vox (final).wav`}, http.StatusCreated, &up)
	if up.Files[0].Name != "lead vox (final).wav" {
		t.Errorf("stored as %q", up.Files[0].Name)
	}
	keys, _ := b.blobs.Keys(context.Background(), "")
	for _, k := range keys {
		if !strings.HasPrefix(k, store.ProjectPrefix(c.id)+"stem/") {
			t.Errorf("blob key %q outside the project's stem prefix", k)
		}
	}
}

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"drums.wav", "drums.wav"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\Bass DI.wav`, "Bass DI.wav"},
		{".hidden.wav", "hidden.wav"},
		{"Gesang\u00e4\u00f6.wav", "Gesang__.wav"},
		{"a\x00b\nc.wav", "abc.wav"},
		{"..", ""},
		{"/", ""},
		{"", ""},
		{strings.Repeat("x", 300) + ".wav", strings.Repeat("x", 116) + ".wav"},
	}
	for _, tc := range cases {
		if got := SanitizeName(tc.in); got != tc.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestUploadToAProjectDeletedMeanwhile: a project deleted while one of its
// uploads streams in answers that upload 404, not 500 (a fault of the
// server, for the operator's log).
func TestUploadToAProjectDeletedMeanwhile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	pr, pw := io.Pipe()
	req := c.request("POST", c.p("/stems"), pr, "multipart/form-data; boundary=XX")
	done := make(chan *http.Response, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	w := wavBytes(t, 4800, 1000)
	fmt.Fprintf(pw, "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
	pw.Write(w[:len(w)/2]) // the server is reading the part: the project is checked
	if err := b.meta.DeleteProject(context.Background(), c.id); err != nil {
		t.Fatal(err)
	}
	pw.Write(w[len(w)/2:])
	io.WriteString(pw, "\r\n--XX--\r\n")
	pw.Close()
	res := <-done
	if res == nil {
		return
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound || !strings.Contains(string(body), `"not_found"`) {
		t.Errorf("%d %s, want 404 not_found", res.StatusCode, body)
	}
}
