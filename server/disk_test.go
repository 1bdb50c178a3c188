package server

import (
	"math"
	"testing"

	"stemmaster/service"
)

// TestUploadsCountRenders: the renders' reservations (service.Disk) count
// against the watermark an upload in flight is judged by, and the
// uploads' bytes against a render's reservation.
func TestUploadsCountRenders(t *testing.T) {
	t.Parallel()
	const minFree, free = 1000, 1100
	disk := &service.Disk{MinFreeBytes: minFree, FreeBytes: func() (uint64, error) { return free, nil }}
	s := New(Config{Disk: disk})
	sp, _ := s.spools.begin("p", spoolReference, "a.wav", 0, math.MaxInt)
	release, err := disk.Reserve(80)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.reserve(40, math.MaxInt64, free, minFree); err != errSpoolDisk {
		t.Errorf("an upload over the render's reservation: %v, want %v", err, errSpoolDisk)
	}
	release()
	sp, _ = s.spools.begin("p", spoolReference, "a.wav", 0, math.MaxInt)
	if err := sp.reserve(40, math.MaxInt64, free, minFree); err != nil {
		t.Fatalf("an upload once the render is done: %v", err)
	}
	if _, err := disk.Reserve(80); err == nil {
		t.Error("a render over the upload in flight was let through")
	}
	sp.end()
	if _, err := disk.Reserve(80); err != nil {
		t.Errorf("a render once the upload is done: %v", err)
	}
}
