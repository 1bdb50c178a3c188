package engine

import (
	"fmt"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/dynamics"
	"stemmaster/dsp/multiband"
	"stemmaster/dsp/saturate"
	"stemmaster/dsp/stemshare"
	"stemmaster/internal/audiotest"
)

// TestKeyGroups: the master stages that stem-aware limiting runs as a
// group (dsp.KeyGroup: saturation of every character, the multiband
// compressing, expanding and widening, the compressor linked, unlinked and
// on mid or side through dsp.MidSideGroup) give every stem the same bits
// as each stem's own copy keyed by the sum, and the group call allocates
// nothing.
func TestKeyGroups(t *testing.T) {
	// Not parallel: checkKeyGroup counts allocations (testing.AllocsPerRun).
	const rate = 48000
	spec := dsp.Spec{SampleRate: rate, MaxBlockSize: 700, Channels: 2}
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 3000, -3), audiotest.Sine(rate, 2, 3000, 110, -2, 0), audiotest.WhiteNoise(2, 2, 3000, -8)}
	for _, char := range []string{saturate.CharacterSoft, saturate.CharacterWarm, saturate.CharacterCubic} {
		checkKeyGroup(t, char, func() dsp.KeyGroup {
			s := saturate.New(saturate.Params{DriveDB: 12, OutputDB: -3, Character: char})
			s.Prepare(spec)
			return s
		}, stems, 700)
	}
	checkKeyGroup(t, "multiband", func() dsp.KeyGroup {
		m := multiband.New(multiband.Params{CrossoversHz: []float64{150, 2000, 8000}, Bands: []multiband.Band{
			{ThresholdDB: -30, Ratio: 4, Width: 0.5}, {ThresholdDB: -20, Ratio: 2, Width: 1, ExpandThresholdDB: -40, ExpandRatio: 2},
			{ThresholdDB: -24, Ratio: 3, Width: 1.5, AttackMS: 1}, {ThresholdDB: -30, Ratio: 2, Width: 1, MakeupDB: 2},
		}})
		m.Prepare(spec)
		return m
	}, stems, 700)
	for _, unlinked := range []bool{false, true} {
		p := dynamics.CompressorParams{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 2, ReleaseMS: 60, MakeupDB: 2, Unlinked: unlinked}
		checkKeyGroup(t, fmt.Sprintf("compressor unlinked %v", unlinked), func() dsp.KeyGroup {
			c := dynamics.NewCompressor(p)
			c.Prepare(spec)
			return c
		}, stems, 700)
	}
	for _, ch := range []string{dsp.ChannelMid, dsp.ChannelSide} {
		var group *dsp.MidSideGroup
		checkKeyGroup(t, "compressor on "+ch, func() dsp.KeyGroup {
			m := dsp.NewMidSide(dynamics.NewCompressor(dynamics.CompressorParams{ThresholdDB: -30, Ratio: 3, KneeDB: 6, AttackMS: 5, ReleaseMS: 80}), ch)
			m.Prepare(spec)
			return midSideKeyGroup{m, &group}
		}, stems, 700)
	}
}

// midSideKeyGroup runs a MidSide stage's group through dsp.MidSideGroup,
// for checkKeyGroup: the group, shared by the peers, is made from them on
// the first call.
type midSideKeyGroup struct {
	*dsp.MidSide
	group **dsp.MidSideGroup
}

func (m midSideKeyGroup) ProcessKeyGroup(peers []dsp.Processor, bufs []*audio.Buffer, key *audio.Buffer) {
	if *m.group == nil {
		ms := make([]dsp.Processor, len(peers))
		for i, p := range peers {
			ms[i] = p.(midSideKeyGroup).MidSide
		}
		*m.group = dsp.NewMidSideGroup(ms)
	}
	(*m.group).Process(bufs, key)
}

// checkKeyGroup runs stems through processors from newProc keyed by their
// sum, once each with ProcessSidechain and once as a group, in blocks of
// block frames, and fails unless every output sample is the same.
func checkKeyGroup(t *testing.T, name string, newProc func() dsp.KeyGroup, stems []*audio.Buffer, block int) {
	t.Helper()
	frames, channels := stems[0].Frames(), stems[0].Channels()
	key := audio.NewBuffer(channels, frames)
	dsp.SumInto(key, stems, frames)
	alone := make([]*audio.Buffer, len(stems))
	group := make([]*audio.Buffer, len(stems))
	procs := make([]dsp.Sidechained, len(stems))
	peers := make([]dsp.Processor, len(stems))
	for k, s := range stems {
		alone[k], group[k] = s.Clone(), s.Clone()
		procs[k], peers[k] = newProc(), newProc()
	}
	lead := peers[0].(dsp.KeyGroup)
	views := make([]*audio.Buffer, len(stems))
	for at := 0; at < frames; at += block {
		end := min(at+block, frames)
		k := audiotest.View(key, at, end)
		for i, p := range procs {
			p.ProcessSidechain(audiotest.View(alone[i], at, end), k)
			views[i] = audiotest.View(group[i], at, end)
		}
		lead.ProcessKeyGroup(peers, views, k)
	}
	for i := range stems {
		for c := range channels {
			for n, want := range alone[i].Data[c] {
				if got := group[i].Data[c][n]; got != want {
					t.Fatalf("%s: stem %d channel %d frame %d: group %v, alone %v", name, i, c, n, got, want)
				}
			}
		}
	}
	k := audiotest.View(key, 0, block)
	for i := range views {
		views[i] = audiotest.View(group[i], 0, block)
	}
	if a := testing.AllocsPerRun(5, func() { lead.ProcessKeyGroup(peers, views, k) }); a != 0 {
		t.Errorf("%s: ProcessKeyGroup allocates %.1f times per call", name, a)
	}
}

// BenchmarkKeyGroup runs eight stems through the master's saturation (warm)
// and a three-band multiband keyed by their sum, each stem's copy on its
// own (alone) and as a group analysing the key once (group), and the
// saturation run once on the sum and shared out (share, what stem-aware
// limiting runs), and reports the CPU time per sample and channel of a
// stem.
func BenchmarkKeyGroup(b *testing.B) {
	const rate, frames, stems = 48000, 4096, 8
	spec := dsp.Spec{SampleRate: rate, MaxBlockSize: frames, Channels: 2}
	stages := map[string]func() dsp.KeyGroup{
		"saturate": func() dsp.KeyGroup {
			s := saturate.New(saturate.Params{DriveDB: 3, Character: saturate.CharacterWarm})
			s.Prepare(spec)
			return s
		},
		"multiband": func() dsp.KeyGroup {
			m := multiband.New(multiband.Params{CrossoversHz: []float64{150, 3000}, Bands: []multiband.Band{{Width: 1}, {ThresholdDB: -20, Ratio: 2, Width: 1}, {Width: 1.2}}})
			m.Prepare(spec)
			return m
		},
	}
	b.Run("saturate/share", func(b *testing.B) {
		// stemshare: the saturation run once on the sum and shared out
		bufs := make([]*audio.Buffer, stems)
		for k := range bufs {
			bufs[k] = audiotest.PinkNoise(uint64(k+1), 2, frames, -12)
		}
		key := audio.NewBuffer(2, frames)
		dsp.SumInto(key, bufs, frames)
		sat := stages["saturate"]().(*saturate.Saturator)
		p := &stemmaster.SaturationParams{DriveDB: 3, Character: stemmaster.SaturationWarm}
		st := stemshare.New(sat, satLinear(p, sat.Latency()), stems, spec)
		cpu0, _ := cpuTime()
		for b.Loop() {
			st.Process(bufs, key)
		}
		cpu1, _ := cpuTime()
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N)/float64(stems*frames*2), "cpu-ns/sample/ch")
	})
	for _, name := range []string{"saturate", "multiband"} {
		for _, group := range []bool{false, true} {
			b.Run(name+map[bool]string{false: "/alone", true: "/group"}[group], func(b *testing.B) {
				bufs := make([]*audio.Buffer, stems)
				peers := make([]dsp.Processor, stems)
				for k := range bufs {
					bufs[k] = audiotest.PinkNoise(uint64(k+1), 2, frames, -12)
					peers[k] = stages[name]()
				}
				key := audio.NewBuffer(2, frames)
				dsp.SumInto(key, bufs, frames)
				cpu0, _ := cpuTime()
				for b.Loop() {
					if group {
						peers[0].(dsp.KeyGroup).ProcessKeyGroup(peers, bufs, key)
						continue
					}
					for k, p := range peers {
						p.(dsp.Sidechained).ProcessSidechain(bufs[k], key)
					}
				}
				cpu1, _ := cpuTime()
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N)/float64(stems*frames*2), "cpu-ns/sample/ch")
			})
		}
	}
}
