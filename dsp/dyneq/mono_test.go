package dyneq

import (
	"math"
	"testing"
	"unsafe"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

// TestBellArgsLayout holds bellArgs' field offsets to the A_* and C_*
// offsets of mono_amd64.s.
func TestBellArgsLayout(t *testing.T) {
	t.Parallel()
	var k bellArgs
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"b0", unsafe.Offsetof(k.b0), 0}, {"decay", unsafe.Offsetof(k.decay), 40},
		{"quiet", unsafe.Offsetof(k.quiet), 56}, {"att", unsafe.Offsetof(k.att), 88},
		{"s1", unsafe.Offsetof(k.s1), 104}, {"from", unsafe.Offsetof(k.from), 136},
		{"block", unsafe.Offsetof(k.block), 160}, {"pos", unsafe.Offsetof(k.pos), 168},
		{"run", unsafe.Offsetof(k.run), 176}, {"logTab", unsafe.Offsetof(k.logTab), 184},
		{"expTab", unsafe.Offsetof(k.expTab), 192}, {"abs", unsafe.Offsetof(k.abs), 200},
		{"neg", unsafe.Offsetof(k.neg), 216}, {"consts", unsafe.Offsetof(k.consts), 232},
	} {
		if c.got != c.want {
			t.Errorf("bellArgs.%s at offset %d, the assembly reads %d", c.name, c.got, c.want)
		}
	}
}

// TestBellKernel: where the assembly kernel runs, it gives bellMono's Go
// loop's bits — the output, the cut and the state — on pink noise with
// quiet gaps (the quiet path, cuts starting and ending), noise far over
// the threshold (the range holds), and a NaN in the stream (the envelope
// keeps its value over it, as the Go comparison does), for runs of 1, 6
// and 16 frames, over blocks of uneven lengths.
func TestBellKernel(t *testing.T) {
	t.Parallel()
	if !bellAccelerated {
		t.Skip("no bell kernel on this machine or build")
	}
	quiet := audiotest.PinkNoise(3, 1, 20000, -12)
	for i := 2000; i < 20000; i += 4000 {
		clear(quiet.Data[0][i : i+1500])
	}
	loud := audiotest.PinkNoise(4, 1, 20000, 0)
	nan := audiotest.PinkNoise(5, 1, 20000, -12)
	nan.Data[0][12345] = float32(math.NaN())
	for _, x := range []*audio.Buffer{quiet, loud, nan} {
		for _, attack := range []float64{0.01, 1, 5} {
			p := Params{FreqHz: 700, Q: 1.5, ThresholdDB: -40, Ratio: 4, RangeDB: 9, AttackMS: attack, ReleaseMS: 30}
			asm, def := New(p), New(p)
			for _, d := range []*Band{asm, def} {
				d.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 1})
			}
			a, b := x.Clone(), x.Clone()
			for at, i := 0, 0; at < x.Frames(); i++ {
				n := min([]int{1, 700, 256, 3, 255, 2000}[i%6], x.Frames()-at)
				for start := at; start < at+n; start += chunk {
					end := min(start+chunk, at+n)
					asm.bellMonoKernel(a.Data[0][start:end])
					def.bellMonoGo(b.Data[0][start:end])
				}
				at += n
			}
			if asm.gr != def.gr || asm.block != def.block || asm.ctl != def.ctl {
				t.Fatalf("attack %g ms: state differs: cut %g/%g, block %g/%g, detector %+v/%+v", attack, asm.gr, def.gr, asm.block, def.block, asm.ctl, def.ctl)
			}
			for i, v := range a.Data[0] {
				if w := b.Data[0][i]; math.Float32bits(v) != math.Float32bits(w) && !(v != v && w != w) {
					t.Fatalf("attack %g ms: frame %d: %g from the kernel, %g from the Go loop", attack, i, v, w)
				}
			}
		}
	}
}
