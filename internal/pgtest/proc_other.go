//go:build !linux

package pgtest

import "os/exec"

// supported: Start skips here. Running the server as another user and
// tying its life to the test's take Linux's process attributes
// (Credential, Pdeathsig); the package builds everywhere so that the
// packages whose tests import it vet and build for every GOOS.
const supported = false

func runAs(*exec.Cmd, int, int) {}

func dieWithParent(*exec.Cmd) {}
