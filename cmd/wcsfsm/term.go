package main

import (
	"os"

	"golang.org/x/term"
)

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null): progress is shown only there. golang.org/x/term
// asks each system's terminal driver (TCGETS on Linux, TIOCGETA on the BSDs
// and macOS, GetConsoleMode on Windows).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
