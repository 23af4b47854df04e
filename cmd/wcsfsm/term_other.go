//go:build !linux

package main

import "os"

// isTerminal reports whether f looks like a terminal: a character device.
// (On Linux, term_linux.go asks the terminal driver, which /dev/null fails.)
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
