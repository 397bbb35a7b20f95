package runtime

import (
	"os"
	"os/user"
	goruntime "runtime"
	"sync"
)

// Host describes the machine that ran something (host.json).
type Host struct {
	Hostname   string `json:"hostname"`
	PID        int    `json:"pid"`
	User       string `json:"user,omitempty"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GoVersion  string `json:"go_version"`
	Machinable string `json:"machinable_version"`
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
