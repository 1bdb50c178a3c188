package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
	"stemmaster/internal/testkit"
	"stemmaster/sessionfile"
)

const rate = 48000

// TestAlignment checks that offsets, polarity, pan and every processor's
// latency are applied sample-exactly: impulses must land on the frames the
// session asks for, with the pan law's gains, through a limiter with
// look-ahead (whose latency the engine removes).
func TestAlignment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 48000
	// Impulses at -20 dBFS, far below the 0 dBTP ceiling, so the limiter
	// passes them untouched (its gain is exactly 1 there).
	const amp = 0.1
	audiotest.WriteFloatWAV(t, dir, "late.wav", audiotest.Impulse(2, n, 1000, -20), rate)
	audiotest.WriteFloatWAV(t, dir, "early.wav", audiotest.Impulse(2, n, 5000, -20), rate)
	audiotest.WriteFloatWAV(t, dir, "mono.wav", audiotest.Impulse(1, n, 20000, -20), rate)
	s := &stemmaster.Session{Dir: dir,
		Stems: []stemmaster.StemSpec{
			{File: "late.wav", OffsetSamples: 480, Polarity: stemmaster.PolarityInverted},
			{File: "early.wav", OffsetSamples: -2000, GainDB: -6.020599913279624},
			{File: "mono.wav", Pan: 0.5},
		},
		Master: stemmaster.Master{Target: &stemmaster.NoTarget,
			Limiter: &stemmaster.LimiterParams{CeilingDBTP: new(0.0), LookaheadMS: 5}},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}},
	}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Master.Latency.Limiter == 0 {
		t.Fatal("the limiter reports no latency; the test needs one to compensate")
	}
	got, _ := readAll(t, filepath.Join(out, "main.wav"))
	// Expected: the song is as long as the longest stem with its offset
	// (48000 + 480 frames); late.wav's impulse moves to 1480 and flips;
	// early.wav's moves to 3000 at half amplitude; the mono impulse at pan
	// 0.5 gets cos(3π/8) left and sin(3π/8) right (constant-power law).
	if got.Frames() != n+480 {
		t.Errorf("frames = %d, want %d", got.Frames(), n+480)
	}
	want := map[int][2]float64{
		1480:  {-amp, -amp},
		3000:  {amp / 2, amp / 2},
		20000: {amp * math.Cos(3*math.Pi/8), amp * math.Sin(3*math.Pi/8)},
	}
	const tol = 1e-6 // float32 rounding of the gains
	for c := range got.Data {
		for i, v := range got.Data[c] {
			w, ok := want[i]
			e := 0.0
			if ok {
				e = w[c]
			}
			if math.Abs(float64(v)-e) > tol {
				t.Errorf("channel %d frame %d = %g, want %g", c, i, v, e)
			}
		}
	}
}

// versionSession has a vocal stem and an instrumental stem.
func versionStems(t *testing.T, dir string) {
	const n = 5 * rate
	audiotest.WriteWAV(t, dir, "vox.wav", audiotest.PinkNoise(1, 2, n, -12), rate, 24)
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(rate, 2, n, 220, -10, 0), rate, 24)
}

// deliverySession is a session of the versionStems in dir delivering a
// 24-bit master and a 16-bit "cd" file of the given versions.
func deliverySession(dir string, versions ...stemmaster.Version) *stemmaster.Session {
	return &stemmaster.Session{Dir: dir,
		Stems:    []stemmaster.StemSpec{{File: "vox.wav"}, {File: "keys.wav"}},
		Outputs:  []stemmaster.Output{{Format: "wav", BitDepth: 24}, {Format: "wav", BitDepth: 16, Suffix: "cd"}},
		Versions: versions}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	s := &stemmaster.Session{Dir: dir,
		Stems:    []stemmaster.StemSpec{{File: "vox.wav"}, {File: "keys.wav"}},
		Master:   stemmaster.Master{Compressor: &stemmaster.CompressorParams{ThresholdDB: -20, Ratio: 2}},
		Outputs:  []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}},
		Versions: []stemmaster.Version{stemmaster.VersionMain, stemmaster.VersionInstrumental, stemmaster.VersionACappella, stemmaster.VersionTV},
	}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range rep.Outputs {
		names = append(names, o.File)
	}
	if got := strings.Join(names, " "); got != "main.wav instrumental.wav a_cappella.wav tv.wav" {
		t.Errorf("outputs %s", got)
	}
	// The roles are inferred (vox → lead_vocal, keys → instruments), so tv
	// (no lead vocal) is instrumental, and the versions go through the same
	// chain with the same parameters: identical bytes.
	inst, _ := os.ReadFile(filepath.Join(out, "instrumental.wav"))
	tv, _ := os.ReadFile(filepath.Join(out, "tv.wav"))
	if !bytes.Equal(inst, tv) {
		t.Error("tv.wav differs from instrumental.wav though both hold only keys.wav")
	}
	// The instrumental is not re-targeted: it is keys.wav alone through the
	// same chain at main's gain — the same bytes as a session of keys.wav
	// alone with targeting off, main's gain and the same limiter.
	alone := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "keys.wav"}},
		Master: stemmaster.Master{Compressor: s.Master.Compressor, Target: &stemmaster.NoTarget,
			GainDB: float64(rep.Master.GainDB), Limiter: &stemmaster.LimiterParams{CeilingDBTP: new(-1.0)}},
		Outputs: s.Outputs}
	outAlone := t.TempDir()
	if _, err := Render(context.Background(), alone, Options{OutDir: outAlone}); err != nil {
		t.Fatal(err)
	}
	ref, _ := os.ReadFile(filepath.Join(outAlone, "main.wav"))
	if len(ref) == 0 || !bytes.Equal(inst, ref) {
		t.Error("instrumental.wav is not keys.wav through main's chain at main's gain")
	}

	// Without vocals, every version that keeps the instruments is main,
	// bit for bit: same gain, same compressor and limiter parameters.
	s2 := *s
	s2.Stems = []stemmaster.StemSpec{{File: "keys.wav"}}
	s2.Versions = []stemmaster.Version{stemmaster.VersionMain, stemmaster.VersionInstrumental}
	out2 := t.TempDir()
	if _, err := Render(context.Background(), &s2, Options{OutDir: out2}); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(out2, "main.wav"))
	b, _ := os.ReadFile(filepath.Join(out2, "instrumental.wav"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Error("instrumental.wav differs from main.wav for a session without vocals")
	}
}

// demoDir writes the demo stems and session into a temporary directory.
func demoSession(t testing.TB) *stemmaster.Session {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "stems"), 0o755)
	if _, err := demosong.WriteStems(filepath.Join(dir, "stems"), rate); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "session.yaml")
	os.WriteFile(p, []byte(demosong.Session), 0o644)
	s, err := sessionfile.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	var files [2]map[string][]byte
	var reports [2][]byte
	for run := range files {
		out := t.TempDir()
		// Different worker counts change the scheduling, not the result.
		rep, err := Render(context.Background(), s, Options{OutDir: out, Workers: run + 1})
		if err != nil {
			t.Fatal(err)
		}
		// The report is the same too, but for where the time went.
		rep.WallTimeS, rep.XRealTime, rep.CPUTimeS, rep.Stages = 0, 0, 0, nil
		if reports[run], err = json.Marshal(rep); err != nil {
			t.Fatal(err)
		}
		files[run] = map[string][]byte{}
		for _, name := range []string{"main.wav", "main-cd.wav"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			files[run][name] = b
		}
	}
	for name, b := range files[0] {
		if !bytes.Equal(b, files[1][name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Errorf("report.json differs between two runs (timings aside):\n%s\n%s", reports[0], reports[1])
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	// Outputs and report are readable like any file the user writes, not
	// left at os.CreateTemp's 0600.
	for _, name := range []string{ReportFile, "main.wav"} {
		st, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != audio.OutputFileMode {
			t.Errorf("%s: mode %v, want %v", name, st.Mode().Perm(), audio.OutputFileMode)
		}
	}
	var back stemmaster.Report
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if back.SessionHash != rep.SessionHash || len(back.SessionHash) != 64 {
		t.Errorf("session hash %q", back.SessionHash)
	}
	c := back.Curves
	// 30 s at 0.1 s steps = 300 entries per series (demosong.DurationS).
	const steps = 300
	if c == nil || len(c.WaveformMax) != steps || len(c.ShortTermAfterLUFS) != steps || len(c.ShortTermBeforeLUFS) != steps || len(c.LimiterGRDB) != steps {
		t.Fatalf("curves have the wrong lengths: %+v", c)
	}
	// 1/6-octave bands from 20 Hz to 20 kHz: 1 kHz·2^(k/6) for k = -33 … 25.
	if n := len(c.Spectrum.FreqsHz); n != 59 || len(c.Spectrum.BeforeDB) != n || len(c.Spectrum.AfterDB) != n {
		t.Errorf("spectrum has %d bands (%d, %d)", n, len(c.Spectrum.BeforeDB), len(c.Spectrum.AfterDB))
	}
	// The main master lands on the target, and the gain the report gives is
	// the gain that took it there: the same session with targeting off and
	// that gain fixed (same ceiling, same limiter) renders the same master.
	tg := s.Master.EffectiveTarget()
	if d := float64(rep.Master.Main.IntegratedLUFS) - tg.IntegratedLUFS; math.Abs(d) > ToleranceLU {
		t.Errorf("main master %.2f LUFS, %.2f LU off the %g LUFS target", float64(rep.Master.Main.IntegratedLUFS), d, tg.IntegratedLUFS)
	}
	fixed := *s
	fixed.Versions = []stemmaster.Version{stemmaster.VersionMain}
	fixed.Outputs = []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}
	ceiling := float64(rep.CeilingDBTP)
	lp := stemmaster.LimiterParams{CeilingDBTP: &ceiling}
	if s.Master.Limiter != nil {
		lp = *s.Master.Limiter
		lp.CeilingDBTP = &ceiling
	}
	fixed.Master.Limiter = &lp
	fixed.Master.Target = &stemmaster.NoTarget
	fixed.Master.GainDB = float64(rep.Master.GainDB)
	again, err := Render(context.Background(), &fixed, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	// The same chain with the same gain is the same master: equal to
	// rounding (a 0.05 dB error in the reported gain shows as 0.05 LU).
	const sameLU = 0.001
	if d := float64(again.Master.Main.IntegratedLUFS - rep.Master.Main.IntegratedLUFS); math.Abs(d) > sameLU {
		t.Errorf("with the reported gain (%.2f dB) fixed the master reads %.3f LUFS, %.3f LU off the targeted master", float64(rep.Master.GainDB), float64(again.Master.Main.IntegratedLUFS), d)
	}
	if len(back.Stems) != 4 || !back.Stems[0].BeforeLUFS.Defined() || !back.Stems[0].AfterLUFS.Defined() {
		t.Errorf("stem loudness %+v", back.Stems)
	}
	if back.Master.Glue == nil || back.Master.Limiter == nil {
		t.Error("no glue compressor or limiter figures")
	}
}

// fullDisk wraps a sink and fails with ENOSPC once limit bytes of samples
// have been written, as a full disk would.
type fullDisk struct {
	sink
	left int
}

func (f *fullDisk) Write(b *audio.Buffer) error {
	f.left -= b.Frames() * b.Channels() * 3
	if f.left < 0 {
		return &os.PathError{Op: "write", Path: "disk", Err: syscall.ENOSPC}
	}
	return f.sink.Write(b)
}

// snapshot records the stems' bytes and checks them after.
func snapshot(t *testing.T, dir string) func() {
	t.Helper()
	before := dirBytes(t, dir)
	return func() {
		for name, b := range before {
			now, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(now, b) {
				t.Errorf("input %s was modified", name)
			}
		}
	}
}

func TestSafety(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	session := func() *stemmaster.Session { return deliverySession(dir) }
	check := snapshot(t, dir)
	defer check()

	t.Run("output dir is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		_, err := Render(context.Background(), session(), Options{OutDir: f})
		if err == nil || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("error %v; want one saying the output is not a directory", err)
		}
	})
	t.Run("output dir not writable", func(t *testing.T) {
		out := t.TempDir()
		os.Chmod(out, 0o500)
		defer os.Chmod(out, 0o700)
		if os.Geteuid() == 0 {
			// Root ignores directory permissions; a pseudo file system
			// refuses new files even to root.
			out = "/proc"
			if f, err := os.CreateTemp(out, "probe"); err == nil {
				f.Close()
				os.Remove(f.Name())
				t.Skip("running as root with no unwritable directory at hand")
			}
		}
		_, err := Render(context.Background(), session(), Options{OutDir: out})
		if err == nil || !strings.Contains(err.Error(), "not writable") {
			t.Errorf("error %v; want one saying the directory is not writable", err)
		}
		if out != "/proc" {
			testkit.DirHolds(t, out)
		}
	})
	t.Run("output dir in use", func(t *testing.T) {
		// A second render into the directory while the first runs (here
		// from the first's progress callback) is refused at once, naming
		// the directory; the first delivers; the next one after it runs.
		out := t.TempDir()
		var second error
		var once sync.Once
		opt := Options{OutDir: out, SkipCheck: true, Progress: func(string, float64) {
			once.Do(func() { _, second = Render(context.Background(), session(), Options{OutDir: out, SkipCheck: true}) })
		}}
		if _, err := Render(context.Background(), session(), opt); err != nil {
			t.Fatal(err)
		}
		if second == nil || !strings.Contains(second.Error(), out+" is in use by another render") {
			t.Errorf("second render: error %v; want the directory named as in use", second)
		}
		testkit.DirHolds(t, out, "main.wav", "main-cd.wav", ReportFile)
		if _, err := Render(context.Background(), session(), Options{OutDir: out, SkipCheck: true}); err != nil {
			t.Errorf("a render after the first: %v", err)
		}
	})
	t.Run("progress 1 is published", func(t *testing.T) {
		// A deliverable reads as done only once its file is under its
		// final name, report.json beside it; written under its temporary
		// name it is at WrittenProgress.
		out := t.TempDir()
		var mu sync.Mutex
		seen := map[string][]float64{}
		prog := func(stage string, f float64) {
			mu.Lock()
			defer mu.Unlock()
			if strings.HasPrefix(stage, "stem ") || !strings.HasSuffix(stage, ".wav") {
				return
			}
			seen[stage] = append(seen[stage], f)
			_, err := os.Stat(filepath.Join(out, stage))
			_, rerr := os.Stat(filepath.Join(out, ReportFile))
			if published := err == nil && rerr == nil; (f == 1) != published {
				t.Errorf("%s at %g with its file published %v", stage, f, published)
			}
		}
		if _, err := Render(context.Background(), session(), Options{OutDir: out, SkipCheck: true, Progress: prog}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"main.wav", "main-cd.wav"} {
			if want := []float64{0, WrittenProgress, 1}; !slices.Equal(seen[name], want) {
				t.Errorf("%s's progress %v, want %v", name, seen[name], want)
			}
		}
	})
	t.Run("disk full", func(t *testing.T) {
		out := t.TempDir()
		full := func(path, container string, f audio.Format) (sink, error) {
			w, err := createFileSink(path, container, f)
			if err != nil {
				return nil, err
			}
			limit := 1 << 20 // the first file fits, the second does not
			if strings.Contains(path, "-cd") {
				limit = 100000
			}
			return &fullDisk{sink: w, left: limit}, nil
		}
		// No file reads as done, neither the one that did not fit nor the
		// one written under its temporary name: the CLI's bars, the
		// server's job events and the page's bar take a deliverable at 1
		// for published, and this render published nothing.
		var mu sync.Mutex
		done := map[string]bool{}
		prog := func(stage string, f float64) {
			mu.Lock()
			defer mu.Unlock()
			if f == 1 {
				done[stage] = true
			}
		}
		_, err := Render(context.Background(), session(), Options{OutDir: out, Workers: 1, createSink: full, Progress: prog})
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("error %v; want ENOSPC", err)
		}
		testkit.DirHolds(t, out)
		for stage := range done {
			if !strings.HasPrefix(stage, "stem ") && strings.HasSuffix(stage, ".wav") {
				t.Errorf("progress reported %s done; the render failed and published nothing", stage)
			}
		}
		if !done["master"] {
			t.Errorf("progress reported %v done; want the master among them", done)
		}
	})
	t.Run("deliverable not created", func(t *testing.T) {
		// A file that cannot even be created (a disk so full its header
		// does not fit) fails the render. Its reader of the targeting pass
		// was never opened nor closed, so a pass longer than the tap's
		// ring waited for it forever: master into a full tmpfs hung.
		long := t.TempDir()
		const n = tapFrames + 2*rate
		audiotest.WriteWAV(t, long, "vox.wav", audiotest.PinkNoise(1, 2, n, -12), rate, 24)
		audiotest.WriteWAV(t, long, "keys.wav", audiotest.Sine(rate, 2, n, 220, -10, 0), rate, 24)
		for _, mode := range []int{followAlways, followLikely} {
			out := t.TempDir()
			opt := Options{OutDir: out, SkipCheck: true, followMode: mode,
				createSink: func(path, container string, f audio.Format) (sink, error) {
					if strings.HasSuffix(path, "main-cd.wav") {
						return nil, &audio.FileError{Path: path, Err: syscall.ENOSPC}
					}
					return createFileSink(path, container, f)
				}}
			done := make(chan error, 1)
			go func() {
				_, err := Render(context.Background(), deliverySession(long, stemmaster.VersionMain), opt)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, syscall.ENOSPC) {
					t.Errorf("follow mode %d: error %v; want ENOSPC", mode, err)
				}
				testkit.DirHolds(t, out)
			case <-time.After(2 * time.Minute):
				t.Fatalf("follow mode %d: the render still runs 2 minutes after a deliverable could not be created", mode)
			}
		}
	})
	t.Run("stem corrupt halfway", func(t *testing.T) {
		bad := t.TempDir()
		src, _ := os.ReadFile(filepath.Join(dir, "keys.wav"))
		// Cut the file in the middle of a frame: the header still
		// announces every frame.
		os.WriteFile(filepath.Join(bad, "keys.wav"), src[:len(src)/2+1], 0o644)
		os.Link(filepath.Join(dir, "vox.wav"), filepath.Join(bad, "vox.wav"))
		s := session()
		s.Dir = bad
		out := t.TempDir()
		_, err := Render(context.Background(), s, Options{OutDir: out})
		var fe *audio.FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Path, "keys.wav") {
			t.Errorf("error %v; want an audio.FileError naming keys.wav", err)
		}
		testkit.DirHolds(t, out)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		out := t.TempDir()
		_, err := Render(ctx, session(), Options{OutDir: out})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v; want context.Canceled", err)
		}
		testkit.DirHolds(t, out)
	})
	t.Run("output would overwrite a stem", func(t *testing.T) {
		d := t.TempDir()
		audiotest.WriteWAV(t, d, "main.wav", audiotest.Sine(rate, 2, 4800, 440, -6, 0), rate, 24)
		s := &stemmaster.Session{Dir: d, Stems: []stemmaster.StemSpec{{File: "main.wav"}}}
		before, _ := os.ReadFile(filepath.Join(d, "main.wav"))
		_, err := Render(context.Background(), s, Options{OutDir: d})
		if err == nil || !strings.Contains(err.Error(), "would overwrite the input") {
			t.Errorf("error %v; want a refusal to overwrite the stem", err)
		}
		if after, _ := os.ReadFile(filepath.Join(d, "main.wav")); !bytes.Equal(before, after) {
			t.Error("the stem was overwritten")
		}
	})
	t.Run("rate mismatch", func(t *testing.T) {
		d := t.TempDir()
		audiotest.WriteWAV(t, d, "a.wav", audiotest.Sine(44100, 2, 4410, 440, -6, 0), 44100, 24)
		audiotest.WriteWAV(t, d, "b.wav", audiotest.Sine(rate, 2, 4800, 440, -6, 0), rate, 24)
		s := &stemmaster.Session{Dir: d, Stems: []stemmaster.StemSpec{{File: "a.wav"}, {File: "b.wav"}}}
		_, err := Render(context.Background(), s, Options{OutDir: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), "a.wav 44100 Hz, b.wav 48000 Hz") {
			t.Errorf("error %v; want one naming both rates", err)
		}
	})
	t.Run("rate loudness cannot meter", func(t *testing.T) {
		// A 768 kHz (DXD 16x) or 4 kHz stem decodes fine but is outside
		// the meter's 8 … 384 kHz: the render must refuse it by name, not
		// panic in loudness.NewMeter.
		for _, sr := range []int{4000, 768000} {
			d := t.TempDir()
			audiotest.WriteWAV(t, d, "odd.wav", audiotest.Sine(float64(sr), 2, sr/10, 440, -6, 0), sr, 24)
			s := &stemmaster.Session{Dir: d, Stems: []stemmaster.StemSpec{{File: "odd.wav"}}}
			_, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
			var fe *audio.FileError
			if !errors.As(err, &fe) || !strings.Contains(fe.Path, "odd.wav") || !strings.Contains(err.Error(), "sample rate") {
				t.Errorf("%d Hz: error %v; want an audio.FileError naming odd.wav and its sample rate", sr, err)
			}
		}
	})
	t.Run("song too long for memory", func(t *testing.T) {
		// offset_samples of 2.1e9 passes the session's ±2^31 bound but would
		// ask for a 16 GB bus: refused before anything is allocated.
		d := t.TempDir()
		audiotest.WriteWAV(t, d, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -6, 0), 48000, 24)
		for _, tc := range []struct {
			offset int64
			maxS   float64
			want   string
		}{
			{2_100_000_000, 0, "the song would be 43750.1 s long (stems and offset_samples); the engine renders at most 3600 s"},
			{48000 * 30, 20, "the song would be 30.1 s long (stems and offset_samples); the engine renders at most 20 s"},
		} {
			s := &stemmaster.Session{Dir: d, Stems: []stemmaster.StemSpec{{File: "a.wav", OffsetSamples: tc.offset}}}
			_, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true, MaxDurationS: tc.maxS})
			if err == nil || err.Error() != tc.want {
				t.Errorf("offset %d, max %g s: error %v; want %s", tc.offset, tc.maxS, err, tc.want)
			}
		}
	})
	t.Run("nyquist", func(t *testing.T) {
		s := session()
		s.Master.EQ = []stemmaster.EQBand{{Type: "low_pass", FreqHz: 30000}}
		_, err := Render(context.Background(), s, Options{OutDir: t.TempDir()})
		want := "master.eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)"
		if err == nil || err.Error() != want {
			t.Errorf("error %v; want %s", err, want)
		}
	})
}

// TestStreamedStem: a stem whose header does not give its length (a FLAC
// written to a pipe) is counted and renders as the same stem with its
// length given; past the longest song it is refused as too long.
func TestStreamedStem(t *testing.T) {
	t.Parallel()
	// One name in two directories: the name seeds the dither.
	streamed, whole := t.TempDir(), t.TempDir()
	b := audiotest.PinkNoise(4, 2, 2*rate, -14)
	audiotest.WriteStreamedFLAC(t, streamed, "s.flac", b, rate)
	audiotest.WriteFile(t, filepath.Join(whole, "s.flac"), "flac", audio.Format{SampleRate: rate, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}, b)
	render := func(dir string, maxS float64) ([]byte, error) {
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "s.flac"}}}
		out := t.TempDir()
		rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true, MaxDurationS: maxS})
		if err != nil {
			return nil, err
		}
		if rep.Frames != 2*rate {
			t.Errorf("%s: %d frames, want %d", dir, rep.Frames, 2*rate)
		}
		return testkit.ReadFile(t, filepath.Join(out, "main.wav")), nil
	}
	got, err := render(streamed, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render(whole, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the streamed stem renders other bytes than the same stem with its length")
	}
	if _, err := render(streamed, 1); err == nil || !strings.Contains(err.Error(), "at most 1 s") {
		t.Errorf("a streamed stem longer than the longest song: %v", err)
	}
}

// A render that delivers nothing (its only version has no stems to play)
// reports an empty list of outputs, never null: report.json readers
// iterate it without a nil check.
func TestNothingDeliveredReportsEmptyOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "vox.wav"}},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}, Versions: []stemmaster.Version{stemmaster.VersionInstrumental}}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outputs == nil || len(rep.Outputs) != 0 {
		t.Errorf("outputs %#v, want an empty list", rep.Outputs)
	}
	js := testkit.ReadFile(t, filepath.Join(out, "report.json"))
	if bytes.Contains(js, []byte(`"outputs": null`)) || !bytes.Contains(js, []byte(`"outputs": []`)) {
		t.Errorf("report.json does not list outputs as []:\n%.400s", js)
	}
}

// TestPathSpellingDeterminism: the same session with its stems and mix
// named relative to the session directory, by absolute paths, or relative
// to the working directory renders the same bytes (the dither seed comes
// from the session hash, so the hash must not depend on how a path is
// spelt).
func TestPathSpellingDeterminism(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, dir)
	if err != nil {
		t.Skipf("no relative path from %s to %s: %v", wd, dir, err)
	}
	spell := func(d, prefix string) *stemmaster.Session {
		return &stemmaster.Session{Dir: d,
			Stems: []stemmaster.StemSpec{{File: filepath.Join(prefix, "vox.wav")}, {File: filepath.Join(prefix, "keys.wav")}},
			Mix:   filepath.Join(prefix, "keys.wav"), // never read: SkipCheck
			// 16-bit: dithered, so the seed shows in the bytes.
			Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 16, Suffix: "cd"}}}
	}
	tests := []struct {
		name string
		s    *stemmaster.Session
	}{
		{"relative to the session", spell(dir, "")},
		{"absolute", spell("", dir)},
		{"relative to the working directory", spell("", rel)},
	}
	var first []byte
	var firstHash string
	for i, tc := range tests {
		out := t.TempDir()
		rep, err := Render(context.Background(), tc.s, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, err := os.ReadFile(filepath.Join(out, "main-cd.wav"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first, firstHash = b, rep.SessionHash
			continue
		}
		if rep.SessionHash != firstHash || !bytes.Equal(b, first) {
			t.Errorf("%s: hash %s, bytes equal %v; want the hash %s and the bytes of %q",
				tc.name, rep.SessionHash, bytes.Equal(b, first), firstHash, tests[0].name)
		}
	}
}

// TestRenderEndReturnsTheBus: when the last render ends, its master bus
// (8 bytes a frame, 3.7 GB for 20 minutes at 384 kHz) is collected and
// its pages returned at once. The collector's target went back to 100 with
// the bus live at the last collection, so the dead bus stayed counted and
// resident while the server's next work (a stem's stream preview) grew
// the heap to twice it before a collection: 3.8 GB after a render at
// 384 kHz was stopped, 5.1 GB a minute later. Not parallel: the heap is
// the process's.
func TestRenderEndReturnsTheBus(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const busBytes = 128 << 20
	restore := lowerGCTarget()
	bus := make([]float32, busBytes/4)
	for i := range bus {
		bus[i] = float32(i)
	}
	runtime.GC()           // a collection during the render: the bus is live
	runtime.KeepAlive(bus) // its last use: dead from here
	restore()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > busBytes/2 {
		t.Errorf("heap after the last render ended: %d MB, want the %d MB bus collected", ms.HeapAlloc>>20, busBytes>>20)
	}
}
