//go:build tools

// The JetStream server the tests run, built from this module's go.sum.
package natstest

import _ "github.com/nats-io/nats-server/v2"
