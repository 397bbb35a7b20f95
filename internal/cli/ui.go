package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/machinable-go/machinable/storage"
	"github.com/machinable-go/machinable/web"
	"github.com/spf13/cobra"
)

// defaultUIAddr is where machinable ui listens unless --addr says
// otherwise: loopback, so only this machine's users see the storage.
const defaultUIAddr = "127.0.0.1:7777"

func newUICommand(stdout, stderr io.Writer) *cobra.Command {
	var storageURL, addr string
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Serve a web view of a storage's experiments, live while they run",
		Long: `Serve a web view of the experiments of a storage: the experiments, each
experiment's components as a sortable table with record charts, and each
component's config, status, logs, records and stored files. Pages update by
themselves while components run. It prints the address and serves until
Ctrl-C. It only reads the storage.

It listens on 127.0.0.1:7777 unless --addr says otherwise (port 0 picks a
free one); an address other than loopback lets anyone who reaches this
machine read the storage, and is served with a warning. The storage is
--storage, else $MACHINABLE_STORAGE, else the settings' default_storage,
else the first results directory here or above.`,
		Example: `  machinable ui
  machinable ui --storage ~/results --addr 127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := inspectStorage(storageURL, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("ui: %w", err)}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := serveUI(ctx, st, addr, stdout, stderr); err != nil {
				return &exitError{code: ExitError, err: fmt.Errorf("ui: %w", err)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&storageURL, "storage", "", storageFlagHelp)
	cmd.Flags().StringVar(&addr, "addr", defaultUIAddr, "address to listen on, host:port")
	return cmd
}

// serveUI serves the web view of st on addr until ctx ends.
func serveUI(ctx context.Context, st *storage.Storage, addr string, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w (another machinable ui? --addr 127.0.0.1:0 picks a free port)", err)
	} else if err != nil {
		return err
	}
	srv := web.New(st)
	srv.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, "ui: "+format+"\n", args...) }
	bound := ln.Addr().(*net.TCPAddr)
	host := bound.String()
	if bound.IP.IsLoopback() {
		srv.AllowHosts(web.LoopbackHosts(host)...)
	} else {
		given, _, _ := net.SplitHostPort(addr)
		where := net.JoinHostPort(given, fmt.Sprint(bound.Port))
		if bound.IP.IsUnspecified() {
			where += " (every interface)"
			host = net.JoinHostPort("127.0.0.1", fmt.Sprint(bound.Port))
		}
		fmt.Fprintf(stderr, "warning: listening on %s, not on loopback: anyone who can reach this machine can read storage %s\n", where, st.DisplayURL())
	}
	fmt.Fprintf(stdout, "Serving storage %s at http://%s/ (Ctrl-C stops)\n", st.DisplayURL(), host)
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(shut)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
