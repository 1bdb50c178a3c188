//go:build !amd64 || purego

package check

func stereoLanes(l, r []float32, lanes *[5][2]float64) { stereoLanesGo(l, r, lanes) }
