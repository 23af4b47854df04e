// Command maxrss runs a command with its output discarded and prints, on
// one line, its wall time in seconds, its peak resident set size in KiB,
// and its exit status: what bench/run.sh measures, the same way on every
// system that reports a peak RSS to getrusage (Linux, macOS, the BSDs).
//
//	go run ./bench/maxrss wcsfsm validate log.jsonl
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: maxrss COMMAND [ARG ...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin = os.Stdin // the rest stays nil: the output is discarded
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, "maxrss:", err)
		os.Exit(2)
	}
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) // KiB on Linux and the BSDs
		if runtime.GOOS == "darwin" {
			rss /= 1024 // bytes on macOS
		}
	}
	fmt.Printf("%.4f %d %d\n", wall.Seconds(), rss, code)
}
