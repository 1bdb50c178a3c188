package dynamics

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/envelope"
)

// A compressor keys a group of signals by one key (stem-aware limiting
// runs the master compressor over every stem keyed by their sum).
var _ dsp.KeyGroup = (*Compressor)(nil)

// ProcessKeyGroup leaves every bufs[i] as peers[i].ProcessSidechain(bufs[i],
// key) would (each peer a *Compressor with c's parameters, prepared as c),
// bit for bit: the detector and the gain computer run once, in c, on key,
// and every buffer takes the same gains. The peers' own detectors are not
// used, so a group keeps calling the same receiver. key has c's channels,
// every buffer key's channels and frames.
func (c *Compressor) ProcessKeyGroup(peers []dsp.Processor, bufs []*audio.Buffer, key *audio.Buffer) {
	if c.det == nil {
		panic("dynamics: Compressor.ProcessKeyGroup before Prepare")
	}
	dsp.CheckKeyGroup("dynamics", peers, bufs, key, c.channels)
	for _, p := range peers {
		if q, ok := p.(*Compressor); !ok || q.p != c.p {
			panic(fmt.Sprintf("dynamics: ProcessKeyGroup with a peer %T that is not a compressor with the receiver's parameters", p))
		}
	}
	n, kc := key.Frames(), key.Channels()
	blockMax := 0.0
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		c.loadKey(key, start, end)
		if !c.p.Unlinked || kc == 1 {
			blockMax = max(blockMax, c.groupChunk(bufs, 0, kc, &c.state[0], start, end, -1))
			continue
		}
		for ch := range kc {
			blockMax = max(blockMax, c.groupChunk(bufs, ch, ch+1, &c.state[ch], start, end, ch))
		}
	}
	clear(c.key) // hold no reference to the caller's buffer
	c.publishMeter(blockMax, kc)
}

// groupChunk runs the detector over key channels [k0, k1) of the loaded
// chunk [start, end) with state st and applies its gains to channel only
// of every buffer (to all their channels when only < 0); it returns the
// chunk's largest reduction.
func (c *Compressor) groupChunk(bufs []*audio.Buffer, k0, k1 int, st *channelState, start, end, only int) float64 {
	gain := c.gain[:end-start]
	peak, rest := c.detect(k0, k1, st, gain)
	if rest && c.gc.MakeupLin == 1 {
		return peak // a gain of exactly 1 leaves every sample as it is
	}
	for _, b := range bufs {
		for ch, x := range b.Data {
			if only < 0 || ch == only {
				envelope.ApplyGain(x[start:end], gain)
			}
		}
	}
	return peak
}
