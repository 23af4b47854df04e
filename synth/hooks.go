package synth

import (
	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/fsm"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/transfer"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// method returns the catalogue's method named name.
func method(name string) wcs.Method {
	m, ok := wcs.LookupMethod(name)
	if !ok {
		panic("synth: no method " + name + " in the catalogue")
	}
	return m
}

// statusMethods[f] is the status event of family f.
var statusMethods = func() (out [wcs.NumFamilies]wcs.Method) {
	for _, m := range wcs.Methods() {
		if m.Kind == wcs.MethodKindStatus {
			out[m.Family] = m
		}
	}
	return
}()

// The hooks the generator writes beside the status events, looked up once.
var (
	mConnect       = method("connect")
	mPublishStream = method("publishStream")
	mPlayStream    = method("playStream")
	mCall          = method("call")
	mOnCallEvent   = method("OnCallEvent")
	mOnDataEvent   = method("OnDataEvent")

	mAnswer          = method("answer")
	mHangup          = method("hangup")
	mHold            = method("hold")
	mUnhold          = method("unhold")
	mTransfer        = method("transfer")
	mSendDtmf        = method("sendDtmf")
	mUnPublishStream = method("unPublishStream")
	mStopStream      = method("stopStream")
	mPauseStream     = method("pauseStream")
	mSnapshot        = method("snapshot")
	mSessionDebug    = method("sessionDebug")

	mSendMessage          = method("sendMessage")
	mMessageStatusEvent   = method("MessageStatusEvent")
	mOnMessageEvent       = method("OnMessageEvent")
	mStreamsStatEvent     = method("StreamsStatEvent")
	mRecordingStatusEvent = method("RecordingStatusEvent")
)

// incoming reports whether the call numbered no is an incoming one (its
// body says so too): one call in three.
func incoming(no int) bool { return no%3 == 0 }

// invocation returns the hook that starts e (an entity not seen yet) with
// the status it delivers, if its family has one: connect, publishStream or
// playStream, call or OnCallEvent, OnDataEvent.
func invocation(e *entity) (wcs.Method, bool) {
	switch e.fam {
	case wcs.FamilyConnection:
		return mConnect, true
	case wcs.FamilyStream:
		if e.pub {
			return mPublishStream, true
		}
		return mPlayStream, true
	case wcs.FamilyCall:
		if incoming(e.no) {
			return mOnCallEvent, true
		}
		return mCall, true
	case wcs.FamilyData:
		return mOnDataEvent, true
	}
	return wcs.Method{}, false
}

// command returns the command that asks for the move of e by status st, if
// one does (hooks.md, section 3): hold before HOLD, unhold before
// ESTABLISHED from HOLD, answer before an incoming call's ESTABLISHED,
// hangup before FINISH, transfer before a transfer's ACCEPTED,
// unPublishStream, stopStream, pauseStream and snapshot before UNPUBLISHED,
// STOPPED, PAUSED and SNAPSHOT_COMPLETE, sessionDebug before a debug
// switch.
func command(e *entity, st fsm.Symbol) (wcs.Method, bool) {
	switch e.fam {
	case wcs.FamilyCall:
		switch call.State(st) {
		case call.Hold:
			return mHold, true
		case call.Finish:
			return mHangup, true
		case call.Established:
			switch call.State(e.state) {
			case call.Hold:
				return mUnhold, true
			case call.Established:
			default:
				if incoming(e.no) {
					return mAnswer, true
				}
			}
		}
	case wcs.FamilyTransfer:
		if transfer.State(st) == transfer.Accepted {
			return mTransfer, true
		}
	case wcs.FamilyStream:
		switch stream.State(st) {
		case stream.Unpublished:
			return mUnPublishStream, true
		case stream.Stopped:
			return mStopStream, true
		case stream.Paused:
			return mPauseStream, true
		case stream.SnapshotComplete:
			return mSnapshot, true
		}
	case wcs.FamilyDebug:
		return mSessionDebug, true
	}
	return wcs.Method{}, false
}

// debugStarting reports whether a sessionDebug command on a debug switch in
// state s turns debug on.
func debugStarting(s fsm.Symbol) bool { return connection.DebugState(s) != connection.DebugStarted }
