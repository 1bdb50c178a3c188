package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stemmaster/internal/s3test"
	"stemmaster/store"
)

// pattern is a reader of n deterministic bytes that hashes what it gives.
type pattern struct {
	n, off int64
	h      hash.Hash
}

func newPattern(n int64) *pattern { return &pattern{n: n, h: sha256.New()} }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 7919 >> 3)
	}
	p.off += int64(len(b))
	p.h.Write(b)
	return len(b), nil
}

// TestS3Blobs runs the blob store on versitygw: a multipart upload of an
// object larger than several parts with bounded memory, ranged reads, a
// signed URL, listing, an aborted write and prefix deletion.
// Not parallel: s3test.Start sets the AWS credentials in the environment.
func TestS3Blobs(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()
	url := srv.Bucket(t, "blobs-test")
	b := openBlobs(t, url)
	if err := b.Ready(ctx); err != nil {
		t.Fatal(err)
	}

	// 128 MiB: sixteen parts of 8 MiB. Memory grows by far less than the
	// object (part buffers only).
	const size = 128 << 20
	key := store.JobPrefix("p1", "j1") + "main.wav"
	src := newPattern(size)
	// The peak of live heap while uploading, sampled, with the collector
	// kept tight so the heap tracks what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
			select {
			case <-stop:
				peak <- top
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	n, err := b.Put(ctx, key, "audio/wav", src)
	close(stop)
	top := <-peak
	if err != nil || n != size {
		t.Fatalf("put: %d, %v", n, err)
	}
	// Part buffers: (2 in flight + 1) × 8 MiB, and the first part read
	// ahead; never the object. The sampled heap also holds parts already
	// sent until the collector sweeps them, which under -race on a busy
	// machine reached 67 MiB once; an upload that is not streamed holds
	// the whole 128 MiB, so three quarters of the object tells them apart.
	if grew := int64(top) - int64(base.HeapAlloc); grew > size*3/4 {
		t.Errorf("live heap grew %d MiB uploading a %d MiB object: the upload is not streamed", grew>>20, size>>20)
	} else {
		t.Logf("live heap peak +%d MiB for a %d MiB upload", grew>>20, size>>20)
	}
	want := src.h.Sum(nil)

	r, err := b.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if m, err := io.Copy(h, r); err != nil || m != size {
		t.Fatalf("read back %d bytes, %v", m, err)
	}
	r.Close()
	if !bytes.Equal(h.Sum(nil), want) {
		t.Error("object read back differs from what was written")
	}

	// A ranged read returns exactly the bytes of the range.
	rr, err := b.OpenRange(ctx, key, 9<<20+5, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rr)
	rr.Close()
	ref := newPattern(9<<20 + 5 + 1000)
	io.CopyN(io.Discard, ref, 9<<20+5)
	exp, _ := io.ReadAll(ref)
	if !bytes.Equal(got, exp) {
		t.Errorf("range read: %d bytes, differ from the object's", len(got))
	}

	// A signed URL downloads without credentials, for a limited time.
	signed, err := b.SignedURL(ctx, key, "main.wav", time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", signed, nil)
	req.Header.Set("Range", "bytes=0-99")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || len(body) != 100 {
		t.Errorf("signed URL: %s, %d bytes", resp.Status, len(body))
	}
	if resp, err := http.Get(strings.Replace(signed, "X-Amz-Signature=", "X-Amz-Signature=0", 1)); err == nil {
		if resp.StatusCode < 400 {
			t.Errorf("tampered signed URL answered %s", resp.Status)
		}
		resp.Body.Close()
	}

	// An aborted write leaves no object, complete or partial.
	bad := io.MultiReader(io.LimitReader(newPattern(size), 12<<20), errReader{})
	if _, err := b.Put(ctx, "projects/p1/stem/broken.wav", "audio/wav", bad); err == nil {
		t.Error("put from a failing reader succeeded")
	}
	if _, err := b.Open(ctx, "projects/p1/stem/broken.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("aborted write left an object: %v", err)
	}

	local := filepath.Join(t.TempDir(), "main.wav")
	if err := b.Download(ctx, key, local); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(local); err != nil || fi.Size() != size {
		t.Errorf("download: %v %v", fi, err)
	}

	if _, err := b.Put(ctx, store.UploadKey("p1", store.KindStem, "u1", "drums.wav"), "audio/wav", strings.NewReader("RIFF")); err != nil {
		t.Fatal(err)
	}
	var listed []string
	if err := b.Walk(ctx, store.ProjectPrefix("p1"), func(o store.ObjectInfo) error {
		listed = append(listed, o.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 2 {
		t.Errorf("listed %v, want the stem and the output", listed)
	}
	if err := b.DeletePrefix(ctx, store.ProjectPrefix("p1")); err != nil {
		t.Fatal(err)
	}
	if keys, err := b.Keys(ctx, "projects/"); err != nil || len(keys) != 0 {
		t.Errorf("keys after DeletePrefix: %v %v", keys, err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestS3SilentStoreIsRetried: a store that takes the connection and then
// says nothing (a hung node, a half-open connection after a failover)
// held the request forever: the SDK gives S3 no read timeout. After
// read_timeout of silence the request fails and is retried on a new
// connection. No versitygw: a listener that never answers is the store.
func TestS3SilentStoreIsRetried(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c // read nothing back, answer nothing
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	b := openBlobs(t, "s3://silent?endpoint=http://"+ln.Addr().String()+"&region=us-east-1&use_path_style=true&read_timeout=200ms")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if r, err := b.Open(ctx, "projects/p/x"); err == nil {
			r.Close()
		}
	}()
	held := []net.Conn{}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Generous: the retry comes 200 ms and a backoff after the first
	// connection; a store held forever never sees a second.
	timeout := time.After(30 * time.Second)
	for len(held) < 2 {
		select {
		case c := <-conns:
			held = append(held, c)
		case <-timeout:
			t.Fatalf("%d connection(s) in 30 s: the silent store held the request, no retry", len(held))
		}
	}
	if _, err := store.OpenBlobs(context.Background(), "s3://x?endpoint=http://127.0.0.1:1&region=us-east-1&read_timeout=soon"); err == nil || !strings.Contains(err.Error(), "read_timeout") {
		t.Errorf("a malformed read_timeout: %v, want it named", err)
	}
	if _, err := store.OpenBlobs(context.Background(), "s3://x?endpoint=http://127.0.0.1:1&region=us-east-1&max_attempts=0"); err == nil || !strings.Contains(err.Error(), "max_attempts") {
		t.Errorf("max_attempts=0: %v, want it named", err)
	}
}

// TestS3StaleUploadsAborted: a process killed while it streamed a file to
// S3 leaves its multipart upload's parts in the bucket, invisible to every
// listing (the orphan sweep's too) and billed for ever. The sweep aborts
// those older than its age; a younger one, still in flight elsewhere,
// stays.
func TestS3StaleUploadsAborted(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()
	b := openBlobs(t, srv.Bucket(t, "stale-test"))
	client := s3.NewFromConfig(aws.Config{Region: s3test.Region, Credentials: credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, "")},
		func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.Endpoint); o.UsePathStyle = true })
	bucket := aws.String("stale-test")
	for _, key := range []string{"projects/p1/stem/k/drums.wav", "elsewhere/x"} {
		up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("RIFF part")}); err != nil {
			t.Fatal(err)
		}
	}
	unfinished := func() []string {
		out, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, u := range out.Uploads {
			keys = append(keys, aws.ToString(u.Key))
		}
		return keys
	}
	if n, err := b.AbortStaleUploads(ctx, "projects/", time.Now().Add(-time.Hour)); err != nil || n != 0 || len(unfinished()) != 2 {
		t.Errorf("uploads begun just now, aged an hour: %d aborted, %v; left %v", n, err, unfinished())
	}
	if n, err := b.AbortStaleUploads(ctx, "projects/", time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Errorf("stale uploads under projects/: %d aborted, %v; want 1", n, err)
	}
	if left := unfinished(); len(left) != 1 || left[0] != "elsewhere/x" {
		t.Errorf("unfinished uploads left %v, want only the one outside projects/", left)
	}
}

// TestS3PublicEndpoint: a store whose servers reach S3 at an internal
// endpoint signs its download links against the public endpoint --blobs
// names (here a proxy in front of versitygw, as an ingress), and says its
// links are direct; the link downloads through that endpoint under the
// file's name in any script. Without the option the links are not
// direct; public_links=true says the store's own endpoint is public.
// Not parallel: s3test.Start sets the AWS credentials in the environment.
func TestS3PublicEndpoint(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()
	internal := srv.Bucket(t, "public-test")
	var proxied atomic.Int32
	public := s3test.Proxy(t, srv.Endpoint, func(*http.Request) { proxied.Add(1) })
	if b := openBlobs(t, internal); b.DirectLinks() {
		t.Error("a store on an internal endpoint says its links are direct")
	}
	withPublic := internal + "&public_endpoint=" + neturl.QueryEscape(public.URL)
	if err := store.EnsureBucket(ctx, withPublic); err != nil {
		t.Errorf("EnsureBucket with a public endpoint: %v", err)
	}
	b := openBlobs(t, withPublic)
	if !b.DirectLinks() {
		t.Error("a store with a public endpoint says its links are not direct")
	}
	const key = "projects/p/jobs/j/a1/main.wav"
	data := bytes.Repeat([]byte("stem"), 1000)
	if _, err := b.Put(ctx, key, "audio/wav", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	const name = "\u00dcberkopf \u2013 main.wav"
	signed, err := b.SignedURL(ctx, key, name, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := neturl.Parse(signed)
	if err != nil || "http://"+u.Host != public.URL {
		t.Fatalf("link %s: want it on the public endpoint %s", signed, public.URL)
	}
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) || proxied.Load() != 1 {
		t.Errorf("the public link: %s, %d bytes, %d requests through the public endpoint; want the object through it", resp.Status, len(body), proxied.Load())
	}
	if got, want := resp.Header.Get("Content-Disposition"), store.Attachment(name); got != want || !strings.Contains(got, "filename*=UTF-8''%C3%9Cberkopf%20%E2%80%93%20main.wav") {
		t.Errorf("the public link's disposition %q, want %q", got, want)
	}
	// A link is signed as made at the time it is given (the store's
	// clock), not at this machine's: S3 checks it against its own clock,
	// so one made by a front end an hour behind, for a minute, is dead.
	from := time.Now().Add(-time.Hour)
	late, err := b.SignedURL(ctx, key, "", from, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	lu, _ := neturl.Parse(late)
	if got, want := lu.Query().Get("X-Amz-Date"), from.UTC().Format("20060102T150405Z"); got != want {
		t.Errorf("a link signed as made at %v says X-Amz-Date %s, want %s", from, got, want)
	}
	if resp, err := http.Get(late); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a link made an hour ago for a minute: %v %v, want 403 from the store", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	direct := openBlobs(t, internal+"&public_links=true")
	if !direct.DirectLinks() {
		t.Error("public_links=true: the links are not direct")
	}
	if s, err := direct.SignedURL(ctx, key, "", time.Now(), time.Minute); err != nil || !strings.HasPrefix(s, srv.Endpoint+"/") {
		t.Errorf("public_links=true: link %s, %v; want it on the store's own endpoint", s, err)
	}
	for _, bad := range []string{"&public_endpoint=ftp://x", "&public_endpoint=files", "&public_links=maybe"} {
		if _, err := store.OpenBlobs(ctx, internal+bad); err == nil || !strings.Contains(err.Error(), "public_") {
			t.Errorf("%s: %v, want the parameter named", bad, err)
		}
	}
}
