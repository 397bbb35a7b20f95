// Command genstorage writes a synthetic storage for benchmarks: N
// experiments of M components each (execution.json, schedule.json and a
// status.json per component, as a run writes them), without running
// anything; with -records, rows of records too. Used by bench/index.sh and
// bench/ui.sh.
//
//	go run ./bench/genstorage -experiments 1000 -components 100 DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/machinable-go/machinable/internal/synth"
)

func main() {
	exps := flag.Int("experiments", 1000, "number of experiments")
	comps := flag.Int("components", 100, "components per experiment")
	seed := flag.Int64("seed", 1, "generator seed: same seed, same storage")
	records := flag.Int("records", 0, "rows of records per component (0: none)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genstorage [-experiments N] [-components M] [-seed S] [-records R] DIR")
		os.Exit(2)
	}
	start := time.Now()
	_, err := synth.Write(flag.Arg(0), synth.Options{Experiments: *exps, Components: *comps, Seed: *seed, FailEvery: 5, RunningEvery: 97, Records: *records})
	if err != nil {
		fmt.Fprintln(os.Stderr, "genstorage:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "wrote %d experiments of %d components in %s (%.1fs)\n", *exps, *comps, flag.Arg(0), time.Since(start).Seconds())
}
