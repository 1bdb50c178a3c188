package biquad

// Section is one section's coefficients in the form the loops run (see
// run): y = B0·v + s1; s1 = (K1·v + s2) − A1·s1; s2 = K2·v − A2·s1, each
// product and sum rounded as written. A processor that runs a section
// inside its own per-sample loop (to overlap the recursion's latency with
// its other work) with that arithmetic, a chunk at a time, gets Process's
// bits.
type Section struct{ B0, K1, K2, A1, A2 float64 }

// Section returns section s of f in the loops' form.
func (f *Filter) Section(s int) Section {
	c := f.ss[s]
	return Section{B0: c.b0, K1: c.k1, K2: c.k2, A1: c.a1, A2: c.a2}
}

// State returns channel ch's state of section s.
func (f *Filter) State(ch, s int) (s1, s2 float64) {
	st := f.channelState(ch)[s]
	return st.s1, st.s2
}

// EndChunk stores channel ch's state of section s at the end of a chunk,
// flushed as the loops flush it there (Process flushes at the end of each
// call).
func (f *Filter) EndChunk(ch, s int, s1, s2 float64) {
	st := &f.channelState(ch)[s]
	below := f.ss[s].flush
	st.s1, st.s2 = flush(s1, below), flush(s2, below)
}
