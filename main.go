// Command machinable runs experiments described in Starlark.
//
//	machinable run experiment.star [--storage URL] [--engine native:4] [--seed 42]
//	machinable repl
//	machinable version
//
// See docs/ for the user guide.
package main

import (
	"os"

	"github.com/machinable-go/machinable/internal/cli"
)

func main() { os.Exit(cli.MainIO(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
