module github.com/wcsfsm/wcsfsm

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/looplab/fsm v1.0.3
	golang.org/x/term v0.48.0
	pgregory.net/rapid v1.3.0
)

require golang.org/x/sys v0.50.0 // indirect
