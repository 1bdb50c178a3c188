//go:build !amd64 || purego

package fir

// The implementation in use: plain Go.
var (
	dotImpl  = DotPortable
	dot2Impl = dot2Generic
	kernel   = "go"
)
