package stream

import "github.com/wcsfsm/wcsfsm/fsm"

// KeepAliveState is a status of StreamKeepAliveEvent, the periodic heartbeat
// of a media session, or KeepAliveNew before any. The key of the entity is
// the mediaSessionId. A keep-alive never changes direction, and nothing is
// terminal: it ends when its stream does (a rule of the log validator).
type KeepAliveState uint8

const (
	// KeepAliveNew: nothing seen yet.
	// May be followed by: PLAYING, PUBLISHING.
	KeepAliveNew KeepAliveState = iota
	// KeepAlivePublishing: "Поток публикуется", the stream is being published.
	// May be followed by: PUBLISHING.
	KeepAlivePublishing
	// KeepAlivePlaying: "Поток воспроизводится", the stream is being played.
	// May be followed by: PLAYING.
	KeepAlivePlaying
)

var keepAliveNames = [...]string{
	KeepAliveNew:        "NEW",
	KeepAlivePublishing: "PUBLISHING",
	KeepAlivePlaying:    "PLAYING",
}

func (s KeepAliveState) String() string { return fsm.NameOf(keepAliveNames[:], s) }

// KeepAlive is the declared machine of StreamKeepAliveEvent.
var KeepAlive = fsm.MustBuild(fsm.Spec[KeepAliveState]{
	Name:    "StreamKeepAliveEvent",
	Names:   keepAliveNames[:],
	Initial: KeepAliveNew,
	Rules: []fsm.Rule[KeepAliveState]{
		{Status: KeepAlivePublishing, From: []KeepAliveState{KeepAliveNew, KeepAlivePublishing},
			Why:    "periodic heartbeat of a published stream",
			Source: "WCS REST hook StreamKeepAliveEvent"},
		{Status: KeepAlivePlaying, From: []KeepAliveState{KeepAliveNew, KeepAlivePlaying},
			Why:    "periodic heartbeat of a played stream",
			Source: "WCS REST hook StreamKeepAliveEvent"},
	},
	Final: []KeepAliveState{KeepAliveNew, KeepAlivePublishing, KeepAlivePlaying},
})
