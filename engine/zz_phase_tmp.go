package engine

import (
	"fmt"
	"os"
	"time"
)

var phaseStart = time.Now()

func phase(name string) {
	if os.Getenv("SM_PHASES") != "" {
		fmt.Fprintf(os.Stderr, "%7.3f %s\n", time.Since(phaseStart).Seconds(), name)
	}
}
