//go:build unix

package main

import (
	"os"
	"os/signal"
	"syscall"
	"time"
)

// endBySIGINT ends the process by SIGINT with its default action (see
// stoppedByCtrlC); it returns only if the signal did not end it.
func endBySIGINT() {
	signal.Reset(os.Interrupt)
	if syscall.Kill(os.Getpid(), syscall.SIGINT) == nil {
		time.Sleep(time.Second) // delivered asynchronously to some thread
	}
}
