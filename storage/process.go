package storage

import (
	"errors"
	"os"
	"sync"
	"syscall"
)

var hostname = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	return h
})

// Hostname is this machine's name as stored in status.json.
func Hostname() string { return hostname() }

// processAlive reports whether a process of that pid exists (signal 0).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
