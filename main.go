// Command machinable runs experiments described in Starlark.
//
//	machinable run experiment.star [--storage URL] [--engine native:4] [--seed 42]
//	machinable version
//
// See docs/ for the user guide.
package main

import (
	"os"

	"github.com/machinable-go/machinable/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
