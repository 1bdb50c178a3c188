//go:build !amd64 || purego

package dot

// The implementation in use: plain Go.
var (
	dotImpl  = dotGeneric
	dot2Impl = dot2Generic
	kernel   = "go"
)
