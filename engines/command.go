package engines

import (
	"context"
	"os/exec"
	"syscall"
)

// helperCommand is a command the engine runs for itself (sbatch, squeue,
// scancel, ssh, rsync). It runs in a process group of its own: Ctrl-C on
// the terminal goes to the whole foreground group and must reach
// machinable — which decides what happens to the submitted work — not
// kill a squeue or an ssh session half-way.
func helperCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}
