// Command wcsfsm validates logs of Web Call Server events against the
// declared state machines, prints the machines, and more. Run
// "wcsfsm help" for the subcommands.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
)

func main() {
	// WCSFSM_CPUPROFILE=FILE writes a CPU profile of the run (for
	// docs/performance.md; go tool pprof reads it).
	if path := os.Getenv("WCSFSM_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			pprof.StopCPUProfile()
			f.Close()
			os.Exit(code)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand: its one-line summary and its entry point,
// which gets the arguments after its name and returns the exit status
// (0 ok, 1 findings, 2 could not do its job).
type command struct {
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is filled by the init functions of the subcommands' files.
var commands = map[string]command{}

// run is main without the process: testable in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wcsfsm: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wcsfsm COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"wcsfsm COMMAND -h\" for a command's flags.")
}
