// Command wcsfsm validates logs of Web Call Server events against the
// declared state machines, prints the machines, and more. Run
// "wcsfsm help" for the subcommands.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
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
	if len(args) == 2 && args[0] == "help" {
		// wcsfsm help COMMAND: the command's own help.
		if c, ok := commands[args[1]]; ok {
			return c.run([]string{"-h"}, stdin, stdout, stderr)
		}
	}
	if len(args) > 0 && (args[0] == "-version" || args[0] == "--version" || args[0] == "version") {
		fmt.Fprintln(stdout, version())
		return 0
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 || len(args) == 2 {
			return 2 // no command, or help for a command that is none
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
	fmt.Fprintln(w, "\nRun \"wcsfsm help COMMAND\" (or \"wcsfsm COMMAND -h\") for a command's flags, \"wcsfsm -version\"")
	fmt.Fprintln(w, "for the build. Flags may come before or after the file names; \"--\" ends them.")
}

// parseArgs parses the flags of fs wherever they are among args, as people
// type them (wcsfsm validate x.jsonl -format json), and returns the other
// arguments in order; "--" ends the flags, and "-" (standard input) is an
// argument.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil // "--": the rest are arguments
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// version describes the build: the module's version, the commit and its
// time when the build knows them, and Go's version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "wcsfsm (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	parts := []string{"wcsfsm " + v}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		parts = append(parts, "commit "+rev+dirty)
	}
	if at != "" {
		parts = append(parts, at)
	}
	parts = append(parts, bi.GoVersion)
	return strings.Join(parts, ", ")
}
