package store_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stemmaster"
	_ "stemmaster/audio/wav" // registers the WAV codec
	"stemmaster/engine"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/s3test"
	"stemmaster/store"
)

// BenchmarkRenderS3 renders the francium stems (five 45 s stems of
// 13 MB, 48 kHz/24-bit) with the blobs on versitygw, reading the stems in
// place by ranged requests ("ranged") or copying them to local disk first
// ("copy", as --copy-inputs does); ranges/op counts the ranged requests.
// The "+20ms" variants go through a proxy that holds every request 20 ms,
// as a store across a network does before its first byte: the read-ahead
// hides it.
//
//	go test ./store -run - -bench RenderS3 -benchtime 3x
func BenchmarkRenderS3(b *testing.B) {
	src := audiotest.FranciumDir(b)
	srv := s3test.Start(b)
	ctx := context.Background()
	blobs := openBlobs(b, srv.Bucket(b, "bench"))
	var files []store.File
	var specs []stemmaster.StemSpec
	for _, name := range []string{"drums.wav", "instruments.wav", "lead_vocal.wav", "backing_vocals.wav", "fx.wav"} {
		key := store.UploadKey("p", store.KindStem, "u1", name)
		if _, err := blobs.PutFile(ctx, key, "audio/wav", filepath.Join(src, name)); err != nil {
			b.Fatal(err)
		}
		files = append(files, store.File{Kind: store.KindStem, Name: name, BlobKey: key})
		specs = append(specs, stemmaster.StemSpec{File: name})
	}
	// slow is the same bucket behind a proxy that answers 20 ms late; it
	// keeps the client's Host header, which the signature covers.
	late := s3test.Proxy(b, srv.Endpoint, func(*http.Request) { time.Sleep(20 * time.Millisecond) })
	slow := openBlobs(b, strings.Replace(srv.BucketURL("bench"), srv.Endpoint, late.URL, 1))
	render := func(b *testing.B, dir string, open engine.OpenInput) {
		out := b.TempDir()
		s := &stemmaster.Session{Dir: dir, Stems: specs, Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}}
		if _, err := engine.Render(ctx, s, engine.Options{OutDir: out, OpenInput: open}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bucket := range []struct {
		name  string
		blobs *store.Blobs
	}{{"", blobs}, {"+20ms", slow}} {
		blobs := bucket.blobs
		b.Run("copy"+bucket.name, func(b *testing.B) {
			for b.Loop() {
				dir := b.TempDir()
				for _, f := range files {
					if err := blobs.DownloadScratch(ctx, f.BlobKey, filepath.Join(dir, f.Name)); err != nil {
						b.Fatal(err)
					}
				}
				render(b, dir, nil)
				os.RemoveAll(dir)
			}
		})
		b.Run("ranged"+bucket.name, func(b *testing.B) {
			before := blobs.RangeRequests()
			for b.Loop() {
				dir := filepath.Join(b.TempDir(), "files")
				in := blobs.StreamInputs(ctx, files, dir)
				render(b, dir, in.Open)
			}
			b.ReportMetric(float64(blobs.RangeRequests()-before)/float64(b.N), "ranges/op")
		})
	}
}
