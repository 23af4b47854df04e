//go:build !unix

package main

import (
	"os"
	"path/filepath"
)

// lockDir opens dir/lock; where there is no flock, two serves on one state
// directory are not told apart.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
}
