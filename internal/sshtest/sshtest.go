// Package sshtest starts a real OpenSSH server (Debian's openssh-server) on
// 127.0.0.1 for tests, with throw-away host and client keys, so engines
// that work over ssh and rsync are tested against the real programs.
package sshtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a running sshd that accepts the test's key for the current user.
type Server struct {
	User     string
	Host     string // 127.0.0.1
	Port     int
	Identity string // private key file of the client
}

// Target is user@host as ssh takes it.
func (s *Server) Target() string { return s.User + "@" + s.Host }

// Start runs sshd for the test, or skips (fails when
// MACHINABLE_REQUIRE_SERVICES=1) when it cannot run here.
func Start(t testing.TB) *Server {
	t.Helper()
	unavailable := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...) + "; install openssh-server, openssh-client and rsync (apt-get install -y openssh-server rsync)"
		if os.Getenv("MACHINABLE_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		if _, statErr := os.Stat("/usr/sbin/sshd"); statErr != nil {
			unavailable("no sshd")
		}
		sshd = "/usr/sbin/sshd"
	}
	for _, tool := range []string{"ssh", "ssh-keygen", "rsync"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable("no %s", tool)
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hostKey, clientKey := filepath.Join(dir, "host_ed25519"), filepath.Join(dir, "client_ed25519")
	for _, k := range []string{hostKey, clientKey} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(clientKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	auth := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(auth, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	_ = os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	cfg := filepath.Join(dir, "sshd_config")
	conf := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
AcceptEnv LANG LC_* MACHINABLE_* AWS_*
`, port, hostKey, auth, filepath.Join(dir, "sshd.pid"))
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
	logFile, _ := os.Create(filepath.Join(dir, "sshd.log"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		unavailable("sshd does not start: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); logFile.Close() })
	s := &Server{User: u.Username, Host: "127.0.0.1", Port: port, Identity: clientKey}
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := exec.Command("ssh", append(s.Args(), s.Target(), "true")...).CombinedOutput()
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "sshd.log"))
			unavailable("ssh to the test sshd fails: %v: %s\nsshd log:\n%s", err, out, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Args are the ssh options that reach this server.
func (s *Server) Args() []string {
	return []string{"-p", strconv.Itoa(s.Port), "-i", s.Identity, "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR"}
}
