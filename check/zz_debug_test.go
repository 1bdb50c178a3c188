package check

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestDebugBench(t *testing.T) {
	stems, _ := filepath.Glob("/tmp/bc/stem?.wav")
	debugAlign = true
	defer func() { debugAlign = false }()
	st := time.Now()
	rep, err := Files(context.Background(), stems, "/tmp/bc/mix.wav")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v %s", time.Since(st), describe(rep.Findings))
}
