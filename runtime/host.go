package runtime

import (
	"os"
	"os/user"
	goruntime "runtime"
	"sync"
)

// Host describes the machine that ran something (host.json).
type Host struct {
	Hostname   string `json:"hostname"`           // as the OS reports it; "" if unknown
	PID        int    `json:"pid"`                // of the process that ran it
	User       string `json:"user,omitempty"`     // "" when it cannot be looked up
	OS         string `json:"os"`                 // GOOS
	Arch       string `json:"arch"`               // GOARCH
	CPUs       int    `json:"cpus"`               // logical CPUs usable by the process
	GoVersion  string `json:"go_version"`         // of the Go toolchain that built machinable
	Machinable string `json:"machinable_version"` // MachinableVersion
}

// CurrentHost returns the facts of this process's host, read once.
func CurrentHost() Host { return currentHost() }

var currentHost = sync.OnceValue(readHost)

func readHost() Host {
	h := Host{PID: os.Getpid(), OS: goruntime.GOOS, Arch: goruntime.GOARCH,
		CPUs: goruntime.NumCPU(), GoVersion: goruntime.Version(), Machinable: MachinableVersion}
	h.Hostname, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		h.User = u.Username
	}
	return h
}

// MachinableVersion is the version of this runtime, stored with every
// execution.
const MachinableVersion = "0.1.0-dev"
