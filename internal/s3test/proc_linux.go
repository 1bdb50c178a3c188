package s3test

import "syscall"

// procAttr puts the server in its own process group, so a Ctrl-C of the
// test run reaches the test first and the server is stopped by Stop, and
// kills it when the test process dies, so no server outlives a killed run.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
