//go:build race

package tracker

// limRace: the race detector is on; the long limit tests take less.
const limRace = true
