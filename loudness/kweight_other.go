//go:build !amd64 || purego

package loudness

// kAccelerated is false: run2 is plain Go.
const kAccelerated = false

func kweight2(xa, xb []float32, k *wideK, st *[14]float64) {
	panic("loudness: no accelerated K-weighting kernel on this platform")
}

const peakAccelerated = false

func peakBits(x []float32) uint32 { panic("loudness: no accelerated peak kernel on this platform") }

func extremeKeys(x []float32) (lo, hi int32) {
	panic("loudness: no accelerated extremes kernel on this platform")
}

func tpLoad(x []float32, ws, bmax []float64) {
	panic("loudness: no accelerated true-peak load on this platform")
}

func d2Max(w *[tpRun + 2]float64) float64 {
	panic("loudness: no accelerated second difference on this platform")
}

func d2Blocks(w []float64, dmax []float64) {
	panic("loudness: no accelerated second difference on this platform")
}

func kweight4(xa0, xa1, xb0, xb1 []float32, k *quadK, st *[28]float64) {
	panic("loudness: no four-lane K-weighting kernel on this platform")
}

func kweightPeak2(xa, xb []float32, k *wideK, st *[22]float64) {
	panic("loudness: no accelerated K-weighting kernel on this platform")
}

const octAccelerated = false

func kweight8(x *[8][]float32, k *octK, st *[56]float64) {
	panic("loudness: no eight-lane K-weighting kernel on this platform")
}
