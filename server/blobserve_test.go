package server

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		h          string
		start, end int64
		ok         bool
	}{
		{"bytes=0-99", 0, 99, true},
		{"bytes=100-", 100, 999, true},
		{"bytes=-10", 990, 999, true},
		{"bytes=-5000", 0, 999, true},
		{"bytes=900-5000", 900, 999, true},
		{"bytes=1000-", 1000, 999, true}, // past the end: the caller answers 416
		{"bytes=5-2", 0, 0, false},
		{"bytes=0-1,5-6", 0, 0, false},
		{"bytes=-0", 0, 0, false},
		{"items=0-1", 0, 0, false},
		{"bytes=a-b", 0, 0, false},
		{"bytes=-1-2", 0, 0, false},
	} {
		start, end, ok := parseRange(c.h, 1000)
		if ok != c.ok || ok && (start != c.start || end != c.end) {
			t.Errorf("%q: %d-%d %v, want %d-%d %v", c.h, start, end, ok, c.start, c.end, c.ok)
		}
	}
}

// FuzzParseRange: whatever a client sends as Range, a range parseRange
// takes starts at 0 or later and ends inside the file; the caller answers
// 416 when it starts past the end (start > end).
func FuzzParseRange(f *testing.F) {
	for _, h := range []string{"bytes=0-99", "bytes=-5000", "bytes=1000-", "bytes=5-2", "bytes=0-1,5-6", "bytes=-0", "bytes= 7 - 9", "bytes=-9223372036854775808"} {
		f.Add(h, int64(1000))
	}
	f.Add("bytes=-1", int64(0))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return // a stored size is never negative
		}
		start, end, ok := parseRange(h, size)
		if !ok {
			return
		}
		if start < 0 || end > size-1 || start <= end && end-start+1 > size {
			t.Fatalf("parseRange(%q, %d) = %d-%d: outside the file", h, size, start, end)
		}
	})
}

// TestResumedDownloadAfterANewRender: a download of main.wav cut off and
// resumed (Range) after a new render is published must not splice the new
// file's tail onto the old one's head, with a 206 the client cannot tell
// from a good one. Each output has a strong ETag, and a resume naming
// another version in If-Range gets the whole new file.
func TestResumedDownloadAfterANewRender(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newDrumsProject(t, 4800)
	get := func(h map[string]string) (int, http.Header, []byte) {
		t.Helper()
		req := c.request("GET", c.p("/outputs/main.wav"), nil, "")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header, body
	}
	c.waitJob(c.render())
	_, h, first := get(nil)
	etag := h.Get("ETag")
	if len(etag) < 10 || etag[0] != '"' {
		t.Fatalf("ETag %q, want a strong validator", etag)
	}
	if code, h, part := get(map[string]string{"Range": "bytes=100-", "If-Range": etag}); code != http.StatusPartialContent || !bytes.Equal(part, first[100:]) || h.Get("ETag") != etag {
		t.Errorf("resume of the same file: %d, %d bytes, ETag %q; want 206 with its tail", code, len(part), h.Get("ETag"))
	}
	c.putSession(-6)
	c.waitJob(c.render())
	_, _, second := get(nil)
	if bytes.Equal(first, second) {
		t.Fatal("the second render wrote the same file")
	}
	code, h, got := get(map[string]string{"Range": "bytes=100-", "If-Range": etag})
	if code != http.StatusOK || !bytes.Equal(got, second) || h.Get("ETag") == etag {
		t.Errorf("resume after a new render: %d, %d bytes, ETag %q (was %q); want 200 with the whole new file", code, len(got), h.Get("ETag"), etag)
	}
	if code, _, got := get(map[string]string{"Range": "bytes=100-", "If-Range": "Sat, 01 Jan 2000 00:00:00 GMT"}); code != http.StatusOK || !bytes.Equal(got, second) {
		t.Errorf("If-Range with a date: %d, %d bytes; want the whole file", code, len(got))
	}
}
