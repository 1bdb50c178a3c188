package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

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
