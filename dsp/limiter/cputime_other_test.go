//go:build !unix

package limiter

import "time"

func processCPUTime() time.Duration { return 0 }
