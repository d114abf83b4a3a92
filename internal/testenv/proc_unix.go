//go:build unix

package testenv

import (
	"os/exec"
	"syscall"
)

// OwnProcessGroup puts the program cmd starts in a process group of its own,
// so that KillGroup reaches whatever it starts in turn (nginx's workers,
// weed's servers) and a Ctrl-C in the terminal does not race the test's own
// shutdown.
func OwnProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// KillGroup kills the process group of a program started with OwnProcessGroup.
func KillGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
