package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"stemmaster/audio"
	"stemmaster/engine"
)

// stopSignals end a command the way Ctrl-C does: the context is
// cancelled, the command removes what it had started to write and exits.
// SIGTERM is what kill, timeout(1), systemd, container runtimes and CI
// runners send; SIGHUP is what closing the terminal sends. Left to their
// default action they end the process at once, leaving a render's
// temporary outputs (hundreds of MB for a long song) in the output
// directory until a later render there clears them.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptible returns a context cancelled when the process receives one
// of stopSignals, and the function that stops catching them. A signal the
// process was started ignoring stays ignored: catching it would undo
// `nohup` (SIGHUP) and a script's `cmd &` (SIGINT), so closing the
// terminal would stop a render meant to outlive it.
func interruptible(parent context.Context) (context.Context, context.CancelFunc) {
	var sigs []os.Signal
	for _, s := range stopSignals {
		if !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return context.WithCancel(parent)
	}
	if slices.Contains(sigs, os.Interrupt) {
		signal.Notify(ctrlC, os.Interrupt)
	}
	return signal.NotifyContext(parent, sigs...)
}

// ctrlC receives the SIGINT that stopped a command, if one did.
var ctrlC = make(chan os.Signal, 1)

// stoppedByCtrlC reports whether a SIGINT reached a command run under
// interruptible.
func stoppedByCtrlC() bool {
	return len(ctrlC) > 0
}

// A command that Ctrl-C stopped ends by SIGINT once it has cleaned up
// (main: endBySIGINT), not by exit 1: a shell running it in a loop (an
// album's songs, one `master` each) goes on to the next song after a
// command that exited, and stops only when the command died of the SIGINT
// the terminal sent them both (bash's "wait and cooperative exit"), so
// one Ctrl-C stops the batch. SIGTERM and SIGHUP, sent to the process
// alone, keep exit status 1.

// renderError is the exit error of a render that failed. The engine
// writes every output under a temporary name and renames none of them
// unless the whole render succeeds, so a render stopped by an input (a
// stem refused: cut short, not audio, changed while read, at another rate)
// or interrupted wrote nothing, and says so. An error at the commit (an
// output that could not be renamed) is the one that may leave some
// outputs written, and says nothing of the kind.
func renderError(err error) error {
	if errors.Is(err, context.Canceled) {
		return inputError(errors.New("interrupted; nothing written"))
	}
	var rm *engine.RateMismatchError
	if errors.As(err, &rm) {
		err = fmt.Errorf("%w (on the command line: --resample)", err)
	}
	var nf *audio.NonFiniteError
	if errors.As(err, &nf) {
		// The decoder's words ("read as silence") hold for what measures
		// the file; a render refuses it, and says so in their place.
		refused := nf.Samples() + ": they are not audio, so the master refuses the stem; nothing written (find the plug-in that produced them, bypass it and export again)"
		return inputError(errors.New(strings.Replace(err.Error(), nf.Error(), refused, 1)))
	}
	var fe *audio.FileError
	if rm != nil || errors.As(err, &fe) {
		// Several refused stems read one a line: the words close the list
		// on their own line, not the last stem's.
		sep := "; "
		if strings.Contains(err.Error(), "\n") {
			sep = "\n"
		}
		return inputError(fmt.Errorf("%w%snothing written", err, sep))
	}
	return inputError(err)
}
