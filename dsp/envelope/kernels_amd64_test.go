//go:build amd64 && !purego

package envelope

import (
	"testing"
	"unsafe"

	"stemmaster/dsp/internal/dsptest"
)

// TestRunArgsOffsets: runArgs's fields are where gainComputerAVX2 reads
// them (C_* of kernels_amd64.h).
func TestRunArgsOffsets(t *testing.T) {
	t.Parallel()
	var k runArgs
	dsptest.CheckOffsets(t, "runArgs", "makeup makeupLin gr peak keepA keepR attack4 release4 stepA stepR quiet flush", []uintptr{
		unsafe.Offsetof(k.makeup), unsafe.Offsetof(k.makeupLin), unsafe.Offsetof(k.gr), unsafe.Offsetof(k.peak),
		unsafe.Offsetof(k.keepA), unsafe.Offsetof(k.keepR), unsafe.Offsetof(k.attack4), unsafe.Offsetof(k.release4),
		unsafe.Offsetof(k.stepA), unsafe.Offsetof(k.stepR), unsafe.Offsetof(k.quiet), unsafe.Offsetof(k.flush),
	}, 192, 224, 256, 264, 272, 280, 288, 320, 352, 384, 416, 448)
}
