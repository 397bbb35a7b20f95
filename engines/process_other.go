//go:build !linux

package engines

import "syscall"

// workerAttr puts a worker in a process group of its own, so Ctrl-C on
// the terminal (SIGINT to the whole foreground group) reaches only
// machinable, which then stops each worker with exactly one SIGTERM.
func workerAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

func lockThread() (unlock func()) { return func() {} }
