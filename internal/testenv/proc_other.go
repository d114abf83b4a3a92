//go:build !unix

package testenv

import "os/exec"

// OwnProcessGroup does nothing where there are no process groups.
func OwnProcessGroup(*exec.Cmd) {}

// KillGroup kills the program itself where there are no process groups.
func KillGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
