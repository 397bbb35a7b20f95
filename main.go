// Command machinable runs experiments described in Starlark.
//
//	machinable run experiment.star [--storage URL] [--engine native:4] [--seed 42]
//	machinable repl
//	machinable version
//
// See docs/ for the user guide. $MACHINABLE_CPUPROFILE=FILE writes a Go
// CPU profile of the command to FILE (go tool pprof reads it), for
// finding where the time of a slow command goes.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/machinable-go/machinable/internal/cli"
)

func main() {
	if p := os.Getenv("MACHINABLE_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			fmt.Fprintf(os.Stderr, "MACHINABLE_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "MACHINABLE_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		code := cli.MainIO(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		os.Exit(code)
	}
	os.Exit(cli.MainIO(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
