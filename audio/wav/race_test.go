//go:build race

package wav

// raceEnabled skips the gigabyte tests, which the race detector makes slow.
const raceEnabled = true
