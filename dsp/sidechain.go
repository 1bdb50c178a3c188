package dsp

import (
	"fmt"

	"stemmaster/audio"
)

// Sidechained is a processor whose processing can be driven by another
// signal: ProcessSidechain applies to buf what Process would apply to key
// (the gains its detector derives from key, the same at every sample), so
// signals processed each keyed by their sum still add up to the processed
// sum. Stem-aware limiting runs the master chain over each stem that way.
// key has buf's frames and channels (or one channel, where a processor
// allows it) and is not modified.
type Sidechained interface {
	Processor
	ProcessSidechain(buf, key *audio.Buffer)
}

var _ Sidechained = (*MidSide)(nil)

// ProcessSidechain is Process with the inner processor keyed by the same
// part (mid or side) of key, when the inner processor is Sidechained;
// otherwise (a linear processor such as an EQ) it is Process.
func (m *MidSide) ProcessSidechain(buf, key *audio.Buffer) {
	inner, ok := m.inner.(Sidechained)
	if !ok {
		m.Process(buf)
		return
	}
	if key.Channels() != 2 || key.Frames() != buf.Frames() {
		panic(fmt.Sprintf("dsp: MidSide.ProcessSidechain with a key of %d×%d for %d frames", key.Channels(), key.Frames(), buf.Frames()))
	}
	n := buf.Frames()
	if len(m.keyPart) < n {
		panic(fmt.Sprintf("dsp: MidSide.ProcessSidechain of %d frames, prepared for %d", n, len(m.keyPart)))
	}
	kp := m.keyPart[:n]
	l, r := key.Data[0][:n], key.Data[1][:n]
	for i, a := range l {
		if m.side {
			kp[i] = float32((float64(a) - float64(r[i])) / 2)
		} else {
			kp[i] = float32((float64(a) + float64(r[i])) / 2)
		}
	}
	m.keyView.Data[0] = kp
	m.run(buf, func(v *audio.Buffer) { inner.ProcessSidechain(v, &m.keyView) })
}

// SumInto sets the first n frames of every channel of dst to the sum of
// the same frames of srcs (the key of a Sidechained stage: the sum of the
// stems at its input). Every src has at least dst's channels and n frames.
func SumInto(dst *audio.Buffer, srcs []*audio.Buffer, n int) { sumStems(dst, srcs, n) }

// CheckKey panics, naming pkg, unless key has buf's channels and frames
// (what a Sidechained processor without a mono key asks).
func CheckKey(pkg string, buf, key *audio.Buffer) {
	if key.Channels() != buf.Channels() || key.Frames() != buf.Frames() {
		panic(fmt.Sprintf("%s: sidechain key of %d×%d for a %d×%d buffer", pkg, key.Channels(), key.Frames(), buf.Channels(), buf.Frames()))
	}
}

// KeyGroup is a Sidechained processor that processes several signals keyed
// by one key while analysing the key once: ProcessKeyGroup(peers, bufs,
// key) leaves bufs[i] as peers[i].ProcessSidechain(bufs[i], key) would,
// peers being processors of the receiver's type prepared with its
// parameters. The key's analysis (its filters, interpolation, detector)
// runs in the receiver only, so a group keeps calling the same receiver
// and nothing else on the peers' key state. Stem-aware limiting keys every
// stem's copy of a master stage by the same sum, which it would otherwise
// analyse once per stem.
type KeyGroup interface {
	Sidechained
	ProcessKeyGroup(peers []Processor, bufs []*audio.Buffer, key *audio.Buffer)
}

// CheckKeyGroup panics, naming pkg, unless there is a peer for every
// buffer, key has channels channels, and every buffer has key's channels
// and frames (what ProcessKeyGroup asks).
func CheckKeyGroup(pkg string, peers []Processor, bufs []*audio.Buffer, key *audio.Buffer, channels int) {
	if len(peers) != len(bufs) {
		panic(fmt.Sprintf("%s: ProcessKeyGroup with %d peers for %d buffers", pkg, len(peers), len(bufs)))
	}
	if key.Channels() != channels {
		panic(fmt.Sprintf("%s: ProcessKeyGroup with a key of %d channels, prepared for %d", pkg, key.Channels(), channels))
	}
	for _, b := range bufs {
		CheckKey(pkg, b, key)
	}
}
