//go:build !unix

package emulatortest

import "os/exec"

// setProcessGroup is a no-op where process groups are not available; the
// stdin watchdog still ends Azurite when the test binary exits.
func setProcessGroup(cmd *exec.Cmd) {}

// terminateGroup has no gentle form here; the watchdog (stdin closed) is the
// gentle stop on these systems.
func terminateGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }

func killGroup(cmd *exec.Cmd) error { return cmd.Process.Kill() }
