// Package natstest holds the tests of wcsfsm on a real NATS JetStream
// server (docs/scaling.md): hooks posted through wcsfsm serve -nats,
// judged by wcsfsm consume processes that share the partitions, with a
// consumer killed, the JetStream server killed and restarted, a serve
// stopped under load, and a partition moved, and the findings, repeats
// dropped, compared with those of one wcsfsm validate run on the same log.
//
// It is a module of its own, so that the README's go test ./... stays
// quick on a fresh machine: the JetStream server is a large tree. The
// tests build it (github.com/nats-io/nats-server/v2, at the version of this
// module's go.mod) and wcsfsm (from the module above), and run them as
// processes. .ci/run runs them:
//
//	cd natstest && go test ./...
//
// The package has no code: it is its tests.
package natstest
