//go:build unix

package s3test

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts weed in a process group of its own, so that killing
// it reaches anything it starts and a Ctrl-C in the terminal does not race
// the harness's own shutdown.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
