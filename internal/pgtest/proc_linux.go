package pgtest

import (
	"os/exec"
	"syscall"
)

// supported: the server runs here (as the postgres user when root).
const supported = true

// runAs runs cmd as the user uid, group gid.
func runAs(cmd *exec.Cmd, uid, gid int) {
	attr(cmd).Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
}

// dieWithParent has the kernel kill cmd when the test process ends, however
// it ends.
func dieWithParent(cmd *exec.Cmd) { attr(cmd).Pdeathsig = syscall.SIGKILL }

func attr(cmd *exec.Cmd) *syscall.SysProcAttr {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	return cmd.SysProcAttr
}
