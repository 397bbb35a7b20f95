package runtime

import (
	"os"
	"os/user"
	"path/filepath"
	goruntime "runtime"
	"sync"

	"github.com/machinable-go/machinable/storage"
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

// sameMachine reports whether two host records describe the same
// machine and program; the PID does not count (status.json has it).
func (h Host) sameMachine(o Host) bool {
	h.PID, o.PID = 0, 0
	return h == o
}

// sameHostAs caches, per experiment, that its host.json names this
// process's machine: then components write no host.json of their own.
var sameHostAs sync.Map // exp.Describe("host.json") -> true

// writeComponentHost writes the component's host.json only where its
// host differs from the experiment's (another Slurm node, another
// allocation of CPUs): readers take the experiment's otherwise, with the
// PID of status.json. A host.json the component has from an earlier run
// (a requeue on another node) is replaced, so it never names the wrong
// machine.
func writeComponentHost(exp *storage.Experiment, store *storage.Component) error {
	here := CurrentHost()
	key := exp.Describe("host.json")
	if _, same := sameHostAs.Load(key); !same {
		var there Host
		if err := exp.ReadJSON("host.json", &there); err == nil && there.sameMachine(here) {
			sameHostAs.Store(key, true)
			same = true
		}
		if !same {
			return store.PutJSON("host.json", here)
		}
	}
	if exp.HasFile(filepath.Join(store.ID, "host.json")) {
		return store.PutJSON("host.json", here)
	}
	return nil
}
