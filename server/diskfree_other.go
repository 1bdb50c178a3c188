//go:build !unix

package server

import "errors"

// DiskFree is not available on this system: the watermark is not checked.
func DiskFree(string) (uint64, error) { return 0, errors.New("disk space unknown") }
