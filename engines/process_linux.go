package engines

import (
	"runtime"
	"syscall"
)

// workerAttr puts a worker in a process group of its own, so Ctrl-C on
// the terminal (SIGINT to the whole foreground group) reaches only
// machinable, which then stops each worker with exactly one SIGTERM: a
// worker hit by both would take the second signal for "exit at once"
// and die without recording that its component was interrupted. The
// worker gets SIGTERM too when machinable dies (a second Ctrl-C, kill
// -9), rather than run on unattended.
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// lockThread pins the calling goroutine to its thread until unlock: the
// death signal follows the thread that started the worker, not the
// process, and Go ends a thread when a goroutine locked to it returns;
// pinned to the goroutine that waits for the worker, it outlives it.
func lockThread() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
