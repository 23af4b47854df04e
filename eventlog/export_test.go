package eventlog

// SteerBlocks starts v's shards, as its first read would, and has steer
// see how each block of the pipeline is to be judged (in the log's order,
// as near the entity cap, or in parallel) and send it in order when it
// reports true: the tests of the entity budget (budget.go) use it to see
// that blocks go in parallel far from the cap, and that any mix of the
// two ways gives one tracker's findings. It is called with the budget
// locked, one block at a time.
func SteerBlocks(v *Validator, steer func(idx uint64, inOrder bool) bool) {
	v.setup()
	v.startParallel()
	if v.par != nil {
		v.par.steer = steer
	}
}
