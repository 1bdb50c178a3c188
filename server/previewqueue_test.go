package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/testkit"
	"stemmaster/loudness"
	"stemmaster/service"
	"stemmaster/store"
)

// blobKey returns the blob key of the project's file name.
func blobKey(t *testing.T, b *testBundle, c *client, name string) string {
	t.Helper()
	files, err := b.meta.Files(context.Background(), c.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name == name {
			return f.BlobKey
		}
	}
	t.Fatalf("no file %s among %+v", name, files)
	return ""
}

// hasPreview says whether any part of the preview of the blob at key is
// stored.
func hasPreview(t *testing.T, b *testBundle, key string) bool {
	t.Helper()
	found := false
	for _, ext := range []string{".pcm", ".json"} {
		rc, err := b.blobs.Open(context.Background(), service.StreamKey(key)+ext)
		if err == nil {
			rc.Close()
			found = true
		} else if !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
	}
	return found
}

// TestPreviewIsAtMost48kHz: a file above 48 kHz is previewed converted to
// 48 kHz (a quarter of the storage of 192 kHz, an eighth of 384 kHz), with
// its loudness metered before the conversion and its rate told; it counts
// against the limits for that preview.
func TestPreviewIsAtMost48kHz(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	const frames = 40000 // 0.42 s: 240 kB at 24 bits, within the test's 300 kB a file
	path := filepath.Join(t.TempDir(), "hi.wav")
	audiotest.WriteFile(t, path, "wav", audio.Format{SampleRate: 96000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, audiotest.Sine(96000, 2, frames, 1000, -12, 0))
	c.upload("stems", map[string][]byte{"hi.wav": testkit.ReadFile(t, path)}, []string{"hi.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 || v.Stems[0].LUFS == nil {
		t.Fatalf("streams %+v", v)
	}
	si := v.Stems[0]
	f, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := loudness.NewMeter(96000, 2, loudness.Options{})
	if _, err := audio.ReadBlocks(f, 8192, func(b *audio.Buffer) { m.Process(b) }); err != nil {
		t.Fatal(err)
	}
	want := math.Round(m.Result().IntegratedLUFS*100) / 100
	if si.SampleRate != 48000 || si.SourceRate != 96000 || si.Frames != frames/2 || si.SegmentFrames != SegmentS*48000 || *si.LUFS != want {
		t.Errorf("stream info %+v (LUFS %v), want 48 kHz from 96 kHz, %d frames, %v LUFS as metered at 96 kHz", si, *si.LUFS, frames/2, want)
	}
	got, info := audiotest.Decode(t, c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil))
	n := got.Frames()
	// Away from the edges the converted sine keeps its level (-12 dBFS).
	peak := loudness.PeakAbs(got.Data[0][n/4 : 3*n/4])
	if info.Format.SampleRate != 48000 || n != frames/2 || math.Abs(float64(peak)-0.2512) > 0.003 {
		t.Errorf("segment 0: %d frames at %d Hz peaking at %v, want %d at 48 kHz peaking at 0.251", n, info.Format.SampleRate, peak, frames/2)
	}
	if got, want := service.PreviewBytes(frames, 96000), int64(frames/2+1)*4; got != want {
		t.Errorf("a 96 kHz file's preview counts %d bytes, want %d", got, want)
	}
}

// TestFloatPreviewAfterUpload uploads a float stem that goes beyond full
// scale: its preview, made after the upload's answer, is scaled down with
// the gain that gives its level back, and carries the file's loudness as
// the full meter reads it.
func TestFloatPreviewAfterUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	const frames = 30000
	loud := audiotest.Sine(48000, 2, frames, 500, 6, 0) // +6 dBFS
	w := testkit.ReadFile(t, audiotest.WriteFloatWAV(t, t.TempDir(), "x.wav", loud, 48000))
	c.upload("stems", map[string][]byte{"loud.wav": w}, []string{"loud.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 || v.Stems[0].LUFS == nil {
		t.Fatalf("streams %+v", v)
	}
	si := v.Stems[0]
	m := loudness.NewMeter(48000, 2, loudness.Options{})
	m.Process(loud)
	want := math.Round(m.Result().IntegratedLUFS*100) / 100
	if si.Frames != frames || math.Abs(si.GainDB-6) > 0.01 || *si.LUFS != want {
		t.Errorf("stream info %+v (LUFS %v), want %d frames, gain 6 dB, %v LUFS", si, *si.LUFS, frames, want)
	}
	got, _ := audiotest.Decode(t, c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil))
	n := got.Frames()
	peak := loudness.PeakAbs(got.Data[0])
	if n != frames || peak < 0.999 || peak > 1 {
		t.Errorf("segment 0: %d frames peaking at %v, want %d at full scale", n, peak, frames)
	}

	// A float stem within full scale: its copy as it is, from one decode.
	quiet := audiotest.Sine(48000, 2, frames, 500, -6, 0)
	w = testkit.ReadFile(t, audiotest.WriteFloatWAV(t, t.TempDir(), "y.wav", quiet, 48000))
	c.upload("stems", map[string][]byte{"quiet.wav": w}, []string{"quiet.wav"}, http.StatusCreated, nil)
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	found := false
	for _, q := range v.Stems {
		if q.Name != "quiet.wav" {
			continue
		}
		found = true
		if q.GainDB != 0 {
			t.Errorf("quiet.wav: gain %v dB, want 0", q.GainDB)
		}
		seg := c.do("GET", q.URL+"/0?v="+q.Version, nil, "", http.StatusOK, nil)[wavHeaderBytes:]
		for i := range frames {
			if want := pcm16(quiet.Data[0][i]); int16(binary.LittleEndian.Uint16(seg[4*i:])) != want {
				t.Fatalf("quiet.wav frame %d: %d, want %d", i, int16(binary.LittleEndian.Uint16(seg[4*i:])), want)
			}
		}
	}
	if !found {
		t.Errorf("no stream of quiet.wav in %+v", v)
	}
}

// TestPreviewOfDeletedUpload deletes a stem, and a project, as soon as
// their uploads are answered: once the delete is answered no preview of
// what it deleted is in the store, whenever the preview was being made.
func TestPreviewOfDeletedUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 20000, 300), "b.wav": wavBytes(t, 20000, 200)}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	a, bk := blobKey(t, b, c, "a.wav"), blobKey(t, b, c, "b.wav")
	c.do("DELETE", c.p("/stems/a.wav"), nil, "", http.StatusNoContent, nil)
	if hasPreview(t, b, a) {
		t.Errorf("a preview of the deleted %s is in the store", a)
	}
	c.do("DELETE", c.p(""), nil, "", http.StatusNoContent, nil)
	if hasPreview(t, b, bk) {
		t.Errorf("a preview of %s of the deleted project is in the store", bk)
	}
}

// uploadUnqueued is a server whose background work is stopped before a
// project's upload of a.wav (20000 frames): the upload is answered, and
// no preview is made until a request asks for the streams.
func uploadUnqueued(t *testing.T) (*testBundle, *client) {
	t.Helper()
	b := setup(t)
	b.srv.Close()
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 20000, 300)}, []string{"a.wav"}, http.StatusCreated, nil)
	return b, c
}

// TestPreviewOnRequestWhenNotQueued stops the background work before an
// upload: the upload is answered all the same, and the first request for
// the streams makes the preview.
func TestPreviewOnRequestWhenNotQueued(t *testing.T) {
	t.Parallel()
	b, c := uploadUnqueued(t)
	if key := blobKey(t, b, c, "a.wav"); hasPreview(t, b, key) {
		t.Fatalf("a preview of %s was made with the queue stopped", key)
	}
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 || v.Stems[0].Frames != 20000 || v.Stems[0].LUFS == nil {
		t.Fatalf("streams %+v", v)
	}
}

// TestPCM16 pins pcm16 to rounding by math.Round: at and around every
// half step, full scale and beyond, tiny and random values.
func TestPCM16(t *testing.T) {
	t.Parallel()
	var vs []float32
	for k := -32769; k <= 32768; k += 7 {
		for _, d := range []float64{-0.5, 0, 0.5} {
			x := float32((float64(k) + d) / 32767)
			vs = append(vs, x, math.Nextafter32(x, 2), math.Nextafter32(x, -2))
		}
	}
	vs = append(vs, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1.5/32767, -1.5/32767, 1, -1, 2, -2,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
	rng := uint64(1)
	for range 100000 {
		rng = rng*6364136223846793005 + 1442695040888963407
		vs = append(vs, float32(int64(rng>>11))/float32(1<<52)*2.2-1.1)
	}
	for _, v := range vs {
		if got, want := pcm16(v), pcm16Round(v); got != want {
			t.Fatalf("pcm16(%v) = %d, math.Round gives %d", v, got, want)
		}
	}
}

// TestPreviewInFlightOfDeletedProject: a preview that the worker was
// making while the project's blobs were deleted is stored after them; the
// delete cancels it, waits for it, and answers only once that is gone too.
func TestPreviewInFlightOfDeletedProject(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	ctx := context.Background()
	src := store.ProjectPrefix(c.id) + "stem/x/a.wav"
	// The worker holds a's preview: pending, being made.
	q := b.srv.previews
	cancelled := make(chan struct{})
	q.mu.Lock()
	q.pending[src] = make(chan struct{})
	q.making, q.cancelMaking = src, func() { close(cancelled) }
	q.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.do("DELETE", c.p(""), nil, "", http.StatusNoContent, nil)
	}()
	// The delete has removed the records (it then waits for the preview),
	// and the worker stores what it made after the blobs went.
	for {
		if _, err := b.meta.Project(ctx, c.id); errors.Is(err, store.ErrNotFound) {
			break
		}
		select {
		case <-done:
			t.Fatal("the delete answered while a preview of the project was in flight")
		default:
		}
		time.Sleep(time.Millisecond)
	}
	<-cancelled
	if _, err := b.blobs.Put(ctx, service.StreamKey(src)+".pcm", "application/octet-stream", bytes.NewReader([]byte{1, 2})); err != nil {
		t.Fatal(err)
	}
	q.mu.Lock()
	q.making, q.cancelMaking = "", nil
	q.mu.Unlock()
	q.finish(src)
	<-done
	if hasPreview(t, b, src) {
		t.Errorf("the preview made during the delete is in the store after it")
	}
}

// TestDeleteDoesNotWaitForQueuedPreviews: the previews of a project's
// uploads queued behind other projects' (up to 16 songs, one decode at a
// time) are not waited for by its delete, nor by a file's: the worker
// finds their files gone when their turn comes. A delete waited for them
// all: 14 s for a 20-minute song's preview ahead of it on a busy machine,
// minutes behind a full queue.
func TestDeleteDoesNotWaitForQueuedPreviews(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	c.upload("stems", map[string][]byte{"a.wav": wavBytes(t, 4800, 300), "b.wav": wavBytes(t, 4800, 200)}, []string{"a.wav", "b.wav"}, http.StatusCreated, nil)
	b.waitPreviews(t, c.id)
	// a's and b's previews queued again, their turn not come: pending.
	q := b.srv.previews
	a, bk := blobKey(t, b, c, "a.wav"), blobKey(t, b, c, "b.wav")
	q.mu.Lock()
	q.pending[a], q.pending[bk] = make(chan struct{}), make(chan struct{})
	q.mu.Unlock()
	defer q.finish(a)
	defer q.finish(bk)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.do("DELETE", c.p("/stems/a.wav"), nil, "", http.StatusNoContent, nil)
		c.do("DELETE", c.p(""), nil, "", http.StatusNoContent, nil)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang, not a measure: it answers at once
		t.Fatal("the deletes wait for previews still queued")
	}
}

// TestPreviewStopsAtTheDeclaredLength: a FLAC's STREAMINFO declares its
// length, and the decoder goes on past it while frames follow. The upload
// is counted (and shown) by the declared length, so the preview stops
// there: 18 MB of FLAC frames of silence declaring one second made a
// preview that grew at 35 MB/s towards 280 GB, counted as 192 kB.
func TestPreviewStopsAtTheDeclaredLength(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	const frames, declared = 96000, 12000
	w := testkit.ReadFile(t, audiotest.WriteFLACDeclaring(t, t.TempDir(), "x.flac", audiotest.Sine(48000, 2, frames, 440, -20, 0), 48000, declared))
	var got struct{ Files []FileInfo }
	c.upload("stems", map[string][]byte{"lie.flac": w}, []string{"lie.flac"}, http.StatusCreated, &got)
	if len(got.Files) != 1 || got.Files[0].Frames != declared {
		t.Fatalf("upload answered %+v, want the declared %d frames", got.Files, declared)
	}
	var sv StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &sv)
	if len(sv.Stems) != 1 {
		t.Fatalf("streams %+v, want one stem", sv)
	}
	if f := sv.Stems[0].Frames; f != declared {
		t.Errorf("a preview of %d frames, want the declared %d", f, declared)
	}
	rc, err := b.blobs.Open(context.Background(), service.StreamKey(blobKey(t, b, c, "lie.flac"))+".pcm")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if n, _ := io.Copy(io.Discard, rc); n != declared*4 {
		t.Errorf("preview of %d bytes stored, want %d", n, declared*4)
	}
}

// TestPreviewsMadeOnRequestTakeTurns: a preview made in a request (the
// queue full or stopped) decodes, meters and converts the whole file, 26
// CPU-seconds for 20 minutes at 384 kHz from 145 kB of FLAC, and a
// client's 32 requests at once made 32 at once. A client's previews take
// turns: one waits while another of the same client is made, then runs.
func TestPreviewsMadeOnRequestTakeTurns(t *testing.T) {
	t.Parallel()
	b, c := uploadUnqueued(t)
	takesTurns(t, b.srv.makes, "a preview made in the streams request", func() int {
		code, _ := send(t, c.request("GET", c.p("/streams"), nil, ""))
		return code
	})
}

// TestPreviewConversionDoesNotClip: the band-limited copy of a file at
// full scale overshoots it, a square wave's by 16 %: converted down
// to 48 kHz, a 96 kHz square wave at full scale clipped in the 16-bit
// preview. The copy is scaled to its own peak, and gain_db gives the
// level back.
func TestPreviewConversionDoesNotClip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newProject(t)
	const frames = 19200 // 0.2 s at 96 kHz
	sq := audio.NewBuffer(2, frames)
	for i := range frames {
		v := float32(1 - 1.0/(1<<23))
		if i%96 >= 48 { // 1 kHz
			v = -1
		}
		sq.Data[0][i], sq.Data[1][i] = v, v
	}
	path := filepath.Join(t.TempDir(), "sq.wav")
	audiotest.WriteFile(t, path, "wav", audio.Format{SampleRate: 96000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, sq)
	c.upload("stems", map[string][]byte{"sq.wav": testkit.ReadFile(t, path)}, []string{"sq.wav"}, http.StatusCreated, nil)
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 1 {
		t.Fatalf("streams %+v", v)
	}
	si := v.Stems[0]
	seg := c.do("GET", si.URL+"/0?v="+si.Version, nil, "", http.StatusOK, nil)
	r, err := audio.OpenReader(bytes.NewReader(seg))
	if err != nil {
		t.Fatal(err)
	}
	got := audio.NewBuffer(2, frames)
	n, _ := r.Read(got)
	clipped := 0
	for _, x := range got.Data[0][:n] {
		if x >= 32767.0/32768 || x <= -1 {
			clipped++
		}
	}
	// sox -D … gain -6 rate -v 48000 peaks at 0.5823 on the same square
	// wave: 1.30 dB over its input.
	if math.Abs(si.GainDB-1.30) > 0.1 || clipped > 2 {
		t.Errorf("preview of a full-scale square wave from 96 kHz: gain_db %v, %d samples at full scale; want 1.30 dB of gain (sox's overshoot) and none clipped", si.GainDB, clipped)
	}
}

// TestPreviewStopsWhenCancelled: a preview whose context ends (its
// project deleted, the server stopping, the client that asked for it gone)
// stops decoding at once: it went on through the whole file, 34 s for a
// 20-minute song's, and then threw the copy away.
func TestPreviewStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := wavBytes(t, 60*48000, 440) // 17 MB
	var read countingReader
	open := func(string) (io.ReadSeekCloser, error) {
		read.r = bytes.NewReader(w)
		return &read, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.srv.writeStreamPreview(ctx, store.ProjectPrefix("p")+"stem/x/a.wav", "a.wav", open); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled preview: %v, want context.Canceled", err)
	}
	if read.n > int64(len(w))/2 {
		t.Errorf("a cancelled preview read %d bytes of the %d-byte file", read.n, len(w))
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bytes.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
func (c *countingReader) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }
func (c *countingReader) Close() error                              { return nil }

// TestPreviewWorkerPanic: a panic in the preview worker (internal/
// faultpoint) neither ends the process nor leaves the request that waits
// for the preview waiting: the worker gives the preview up, the request
// makes it, and the worker lives on. Not parallel: the point is armed for
// the process.
func TestPreviewWorkerPanic(t *testing.T) {
	b := setup(t)
	disarm := faultpoint.Arm("server.preview:panic")
	defer disarm()
	c := b.newProject(t)
	path := filepath.Join(t.TempDir(), "a.wav")
	audiotest.WriteFile(t, path, "wav", audio.Format{SampleRate: 96000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, audiotest.Sine(96000, 2, 40000, 1000, -12, 0)) // 0.42 s: a gating block to meter
	for _, name := range []string{"a.wav", "b.wav"} {
		c.upload("stems", map[string][]byte{name: testkit.ReadFile(t, path)}, []string{name}, http.StatusCreated, nil)
	}
	var v StreamsView
	c.do("GET", c.p("/streams"), nil, "", http.StatusOK, &v)
	if len(v.Stems) != 2 || v.Stems[0].LUFS == nil || v.Stems[1].LUFS == nil {
		t.Fatalf("streams after the worker panicked: %+v; want both previews, made on request", v)
	}
}
