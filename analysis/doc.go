// Package analysis holds the measurements behind the stem checks and the
// advice: time alignment of a stem against a reference mix by
// cross-correlation (coarse on decimated, pre-whitened signals through
// dsp/fft's real FFT, then exact to the sample at the full rate), the
// least-squares solve of each stem's gain and polarity against the mix from
// streamed Gram-matrix accumulators, a profile of the null residual and a
// per-block bus-gain track that tell master-bus processing (limiting,
// compression, bus gain) from missing content, the balance of the stem
// families against typical ranges, the service advice and a price quote.
//
// Loudness figures come from package loudness (ITU-R BS.1770-4 / EBU R128).
// The balance ranges and the advice rules are engineering rules of thumb,
// documented where they are defined; no standard fixes them.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package analysis
