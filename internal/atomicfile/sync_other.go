//go:build !unix

package atomicfile

// Directories cannot be synced on this system; the rename is what it is.
func isNotSupported(error) bool { return true }
