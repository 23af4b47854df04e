package stream

import "github.com/wcsfsm/wcsfsm/fsm"

// State is a status of StreamStatusEvent, one media session (a published or
// a played stream), or New before any. The key of the entity is the
// mediaSessionId. A media session is published or played for its whole
// life.
//
// Deliberate deviations from the source page:
//
//   - PENDING (used by the publishStream/playStream hooks and the monitoring
//     API) and PAUSED (the pauseStream hook) are not on the page; they are
//     accepted as declared below.
//   - RESIZE, NOT_ENOUGH_BANDWIDTH, PLAYBACK_PROBLEM and SNAPSHOT_COMPLETE are
//     notices, not states: the Web SDK keeps the previous status for them.
//   - A terminal status is final for the media session: the SDK drops all
//     that follows, so a second terminal status is an error, not a duplicate.
type State uint8

const (
	// New: nothing seen yet.
	// May be followed by: FAILED, PENDING, PLAYING, PUBLISHING, SNAPSHOT_COMPLETE.
	New State = iota
	// Pending: publish or play requested, not yet running. Not on the source
	// page; the publishStream/playStream hooks use it, and the status event
	// may repeat it.
	// May be followed by: FAILED, PENDING, PLAYING, PUBLISHING, STOPPED, UNPUBLISHED.
	Pending
	// Publishing: "Поток публикуется", the stream is being published.
	// May be followed by: FAILED, PUBLISHING, SNAPSHOT_COMPLETE, UNPUBLISHED.
	Publishing
	// Unpublished: "Публикация завершена", publishing ended.
	// Terminal: nothing may follow.
	Unpublished
	// Playing: "Поток воспроизводится", the stream is being played.
	// May be followed by: FAILED, NOT_ENOUGH_BANDWIDTH, PAUSED, PLAYBACK_PROBLEM, PLAYING, RESIZE, SNAPSHOT_COMPLETE, STOPPED.
	Playing
	// Paused: playback paused. Not on the source page; the pauseStream hook
	// uses it.
	// May be followed by: FAILED, PLAYING, STOPPED.
	Paused
	// Stopped: "Воспроизведение остановлено", playback stopped.
	// Terminal: nothing may follow.
	Stopped
	// Failed: "Невозможно опубликовать или проиграть поток", the stream
	// cannot be published or played.
	// Terminal: nothing may follow.
	Failed
	// Resize: a notice: the played picture changed size. Keeps the state.
	Resize
	// NotEnoughBandwidth: a notice: the player's bandwidth is short. Keeps
	// the state.
	NotEnoughBandwidth
	// PlaybackProblem: a notice: the player reported a problem. Keeps the
	// state.
	PlaybackProblem
	// SnapshotComplete: a notice: a snapshot of the stream was taken. Keeps
	// the state.
	SnapshotComplete
)

var stateNames = [...]string{
	New:                "NEW",
	Pending:            "PENDING",
	Publishing:         "PUBLISHING",
	Unpublished:        "UNPUBLISHED",
	Playing:            "PLAYING",
	Paused:             "PAUSED",
	Stopped:            "STOPPED",
	Failed:             "FAILED",
	Resize:             "RESIZE",
	NotEnoughBandwidth: "NOT_ENOUGH_BANDWIDTH",
	PlaybackProblem:    "PLAYBACK_PROBLEM",
	SnapshotComplete:   "SNAPSHOT_COMPLETE",
}

func (s State) String() string { return fsm.NameOf(stateNames[:], s) }

// Machine is the declared machine of StreamStatusEvent.
var Machine = fsm.MustBuild(fsm.Spec[State]{
	Name:    "StreamStatusEvent",
	Names:   stateNames[:],
	Initial: New,
	Rules: []fsm.Rule[State]{
		{Status: Pending, From: []State{New, Pending},
			Why:    "publish or play requested, not yet running (the publishStream/playStream hook; the status event may repeat it)",
			Source: "WCS REST hooks publishStream/playStream; monitoring API"},
		{Status: Publishing, From: []State{New, Pending, Publishing},
			Why:    "publishing started; WCS repeats the status on a format change",
			Source: "Web SDK STREAM_STATUS.PUBLISHING (flashphoner-core.js)"},
		{Status: Playing, From: []State{New, Pending, Playing, Paused},
			Why:    "playback started (or resumed); repeated on a format change",
			Source: "Web SDK STREAM_STATUS.PLAYING (flashphoner-core.js)"},
		{Status: Paused, From: []State{Playing},
			Why:    "playback paused",
			Source: "WCS REST hook pauseStream"},
		{Status: Unpublished, From: []State{Pending, Publishing},
			Why:    "publishing ended (also a stop before it ever ran)",
			Source: "Web SDK STREAM_STATUS.UNPUBLISHED; WCS unPublishStream"},
		{Status: Stopped, From: []State{Pending, Playing, Paused},
			Why:    "playback ended",
			Source: "Web SDK STREAM_STATUS.STOPPED; WCS stopStream"},
		{Status: Failed, From: []State{New, Pending, Publishing, Playing, Paused},
			Why:    "cannot publish or play, or broke while running",
			Source: "Web SDK STREAM_STATUS.FAILED (flashphoner-core.js)"},
		{Status: Resize, From: []State{Playing}, Keep: true,
			Why:    "the played picture changed size; the SDK keeps the previous status",
			Source: "Web SDK STREAM_STATUS.RESIZE"},
		{Status: NotEnoughBandwidth, From: []State{Playing}, Keep: true,
			Why:    "the player's bandwidth is short; the SDK keeps the previous status",
			Source: "Web SDK STREAM_STATUS.NOT_ENOUGH_BANDWIDTH"},
		{Status: PlaybackProblem, From: []State{Playing}, Keep: true,
			Why:    "the player reported a problem; the SDK keeps the previous status",
			Source: "Web SDK STREAM_STATUS.PLAYBACK_PROBLEM"},
		{Status: SnapshotComplete, From: []State{New, Publishing, Playing}, Keep: true,
			Why:    "a snapshot was taken (the SDK's snapshot() is allowed on a stream in NEW, neither published nor played); the SDK keeps the previous status",
			Source: "Web SDK STREAM_STATUS.SNAPSHOT_COMPLETE"},
	},
	Terminal: []State{Unpublished, Stopped, Failed},
	Final:    []State{New, Unpublished, Stopped, Failed},
})
