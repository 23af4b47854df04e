//go:build !race

package eventlog

// limRace: the race detector is on; the long limit tests take less.
const limRace = false
