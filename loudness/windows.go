package loudness

import "math"

const (
	// windowBatch is how many sub-blocks' windows are computed together:
	// each window's sum is one chain of dependent adds, and windowLanes of
	// them side by side keep the adder busy.
	windowBatch = 64
	windowLanes = 8
	// histCap bounds the energy history; it is compacted when full.
	histCap = shortTermSubBlocks + 8*windowBatch
)

// flushWindows updates the momentary and short-term windows ending at
// every sub-block completed since the last call, in order.
func (m *Meter) flushWindows() {
	for m.done < m.sub {
		var ms, st [windowLanes]float64
		n := int(min(m.sub-m.done, windowLanes))
		m.windowMeans(&ms, m.done+1, n, momentarySubBlocks)
		if !m.opt.IntegratedOnly {
			m.windowMeans(&st, m.done+1, n, shortTermSubBlocks)
		}
		for j := range n {
			k := m.done + 1 + int64(j)
			v := math.NaN()
			if k >= momentarySubBlocks {
				v = ms[j]
				m.momMax = max(m.momMax, v)
				if (k-momentarySubBlocks)%gatingStepSubBlocks == 0 {
					m.blocks = append(m.blocks, v)
				}
			}
			if m.opt.Series {
				m.momentary = append(m.momentary, v)
			}
			if k >= shortTermSubBlocks && !m.opt.IntegratedOnly {
				m.stMax = max(m.stMax, st[j])
				m.shortTerm = append(m.shortTerm, st[j])
			}
		}
		m.done += int64(n)
	}
}

// windowMeans sets out[j], j < n, to the channel-weighted mean square of
// the w sub-blocks ending with sub-block k0+j (their energy over their
// exact frame count), for the windows that are complete. Each sum runs
// over its sub-blocks oldest first, one add at a time, as a plain loop
// would; the windows are independent, so their adds interleave.
func (m *Meter) windowMeans(out *[windowLanes]float64, k0 int64, n int, w int64) {
	first := k0 - w // sub-block index where window j starts, minus j
	if first+int64(n)-1 < 0 {
		return // none complete
	}
	// Windows that start before sub-block 0 are not complete; start at the
	// first that is.
	j0 := int(max(-first, 0))
	h := m.hist[first+int64(j0)-m.histBase:]
	var s [windowLanes]float64
	lanes := n - j0
	if lanes == windowLanes {
		// Scalars rather than s[j], so the sums stay in registers.
		var s0, s1, s2, s3, s4, s5, s6, s7 float64
		for i := range int(w) {
			x := h[i : i+windowLanes : i+windowLanes]
			s0 += x[0]
			s1 += x[1]
			s2 += x[2]
			s3 += x[3]
			s4 += x[4]
			s5 += x[5]
			s6 += x[6]
			s7 += x[7]
		}
		s = [windowLanes]float64{s0, s1, s2, s3, s4, s5, s6, s7}
	} else {
		for j := range lanes {
			for _, x := range h[j : j+int(w)] {
				s[j] += x
			}
		}
	}
	for j := range lanes {
		k := k0 + int64(j0+j)
		out[j0+j] = s[j] / float64(m.frameAt(k)-m.frameAt(k-w))
	}
}
