package synth

import (
	"encoding/json"
	"strconv"

	"github.com/wcsfsm/wcsfsm/call"
	"github.com/wcsfsm/wcsfsm/connection"
	"github.com/wcsfsm/wcsfsm/stream"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// The bodies follow what WCS posts to its REST hooks (the 2022-era format of
// testdata/sample.jsonl): the fields the checks read, and the ones a backend
// usually reads beside them. Everything but the ids is derived from the
// numbers of the session and the entity, so a body costs no random draw.

// sipStatus is the SIP answer code WCS sends with each call status.
var sipStatus = func() []int {
	c := make([]int, call.Machine.Len())
	c[call.Trying] = 100
	c[call.Ring], c[call.RingMedia] = 180, 180
	c[call.SessionProgress] = 183
	c[call.Established] = 200
	c[call.Busy] = 486
	c[call.Failed] = 500
	return c
}()

var (
	visibleNames = [...]string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi"}
	browsers     = [...]string{
		"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/121.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1.15",
	}
	osVersions = [...]string{"5.0 (X11; Linux x86_64)", "5.0 (Windows NT 10.0; Win64; x64)", "5.0 (Macintosh; Intel Mac OS X 14_2)"}
)

// baseTime is the createDate of the first event, in milliseconds; each
// event comes a quarter of a second after the one before.
const baseTime = 1700000000000

// AppendJSON appends the hook body of ev, as one line of JSON Lines
// without its line ending, to buf.
// The line's "event" is the name of ev.Hook(): ev.Method, or the family's
// status event (for the zero Method, or an event changed to carry a
// status its Method does not deliver). A status event's or an invocation's body is its
// family's, with its status (an invocation's PENDING); a command's carries
// the key of the family it acts on; every body carries nodeId and
// sessionId.
func AppendJSON(buf []byte, ev *Event) []byte {
	meth := ev.Hook()
	buf = append(buf, `{"event":`...)
	buf = appendString(buf, meth.Name)
	buf = append(buf, `,"nodeId":`...)
	buf = appendString(buf, ev.Node)
	buf = append(buf, `,"appKey":"defaultApp","sessionId":`...)
	buf = appendString(buf, ev.Session)
	switch meth.Kind {
	case wcs.MethodKindCommand:
		return append(appendCommand(buf, ev, meth.Name), '}')
	case wcs.MethodKindOther:
		return append(appendOther(buf, ev, meth.Name), '}')
	}
	m := ev.Family.Machine()
	status := m.String(ev.Status)
	switch ev.Family {
	case wcs.FamilyConnection:
		b := ev.SessionNo % len(browsers)
		buf = append(buf, `,"useWsTunnel":false,"useWsTunnelPacketization2":false,"useBase64BinaryEncoding":false,"mediaProviders":["WebRTC","MSE"],"clientVersion":"2.0.212","clientOSVersion":"`...)
		buf = append(buf, osVersions[b]...)
		buf = append(buf, `","clientBrowserVersion":"`...)
		buf = append(buf, browsers[b]...)
		buf = append(buf, `","custom":{"login":"user`...)
		buf = strconv.AppendInt(buf, int64(ev.SessionNo), 10)
		buf = append(buf, `"},"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, '"')
		switch connection.State(ev.Status) {
		case connection.Disconnected:
			buf = append(buf, `,"info":"Normal disconnect"`...)
		case connection.Failed:
			buf = append(buf, `,"info":"Failed by ping timeout"`...)
		}
	case wcs.FamilyRegistration:
		buf = append(buf, `,"sipLogin":"`...)
		buf = appendLogin(buf, '1', ev.SessionNo)
		buf = append(buf, `","sipAuthenticationName":"`...)
		buf = appendLogin(buf, '1', ev.SessionNo)
		buf = append(buf, `","sipDomain":"sip.example.com","sipOutboundProxy":"sip.example.com","sipPort":5060,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, '"')
		if connection.RegistrationState(ev.Status) == connection.AuthenticationFail {
			buf = append(buf, `,"info":"403 Forbidden"`...)
		}
	case wcs.FamilyDebug:
		buf = append(buf, `,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, '"')
	case wcs.FamilyData:
		buf = append(buf, `,"operationId":`...)
		buf = appendString(buf, ev.Key)
		buf = append(buf, `,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, `","info":"","payload":{"message":"hello","seq":`...)
		buf = strconv.AppendInt(buf, int64(ev.Entity), 10)
		buf = append(buf, '}')
	case wcs.FamilyCall:
		incoming := ev.Entity%3 == 0
		caller, callee := byte('1'), byte('2')
		if incoming {
			caller, callee = callee, caller
		}
		buf = append(buf, `,"callId":`...)
		buf = appendString(buf, ev.Key)
		buf = append(buf, `,"incoming":`...)
		buf = strconv.AppendBool(buf, incoming)
		buf = append(buf, `,"caller":"`...)
		buf = appendLogin(buf, caller, ev.SessionNo)
		buf = append(buf, `","callee":"`...)
		buf = appendLogin(buf, callee, ev.Entity)
		buf = append(buf, `","visibleName":"`...)
		buf = append(buf, visibleNames[ev.SessionNo%len(visibleNames)]...)
		buf = append(buf, `","hasAudio":true,"hasVideo":`...)
		buf = strconv.AppendBool(buf, ev.Entity%2 == 0)
		buf = append(buf, `,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, `","sipStatus":`...)
		code := 0
		if int(ev.Status) < len(sipStatus) {
			code = sipStatus[ev.Status]
		}
		buf = strconv.AppendInt(buf, int64(code), 10)
	case wcs.FamilyTransfer:
		buf = append(buf, `,"callId":`...)
		buf = appendString(buf, ev.Key)
		buf = append(buf, `,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, `","info":""`...)
	case wcs.FamilyStream:
		buf = append(buf, `,"mediaSessionId":`...)
		buf = appendString(buf, ev.Key)
		buf = appendStreamName(buf, ev.Entity)
		buf = append(buf, `,"published":`...)
		buf = strconv.AppendBool(buf, ev.Published)
		buf = append(buf, `,"hasVideo":true,"hasAudio":true,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, `","audioCodec":"opus","videoCodec":"H264","info":"Unknown","record":false,`...)
		if stream.State(ev.Status) == stream.Resize {
			buf = append(buf, `"width":640,"height":360,`...)
		} else {
			buf = append(buf, `"width":1280,"height":720,`...)
		}
		buf = append(buf, `"bitrate":0,"minBitrate":0,"maxBitrate":0,"quality":0,"timeout":0,"mediaProvider":"`...)
		buf = appendProvider(buf, ev.Published, ev.Entity)
		buf = append(buf, `","history":false,"createDate":`...)
		buf = strconv.AppendInt(buf, baseTime+250*int64(ev.Seq), 10)
	case wcs.FamilyKeepAlive:
		buf = append(buf, `,"mediaSessionId":`...)
		buf = appendString(buf, ev.Key)
		buf = appendStreamName(buf, ev.Parent)
		buf = append(buf, `,"published":`...)
		buf = strconv.AppendBool(buf, ev.Published)
		buf = append(buf, `,"status":"`...)
		buf = append(buf, status...)
		buf = append(buf, `","mediaProvider":"`...)
		buf = appendProvider(buf, ev.Published, ev.Parent)
		buf = append(buf, '"')
	}
	return append(buf, '}')
}

// appendCommand appends the fields of command name on ev's entity: the key
// of the family it acts on, and what the command asks.
func appendCommand(buf []byte, ev *Event, name string) []byte {
	switch ev.Family {
	case wcs.FamilyCall, wcs.FamilyTransfer:
		buf = append(buf, `,"callId":`...)
		buf = appendString(buf, ev.Key)
		switch name {
		case "answer":
			buf = append(buf, `,"hasAudio":true,"hasVideo":`...)
			buf = strconv.AppendBool(buf, ev.Entity%2 == 0)
		case "hangup":
			buf = append(buf, `,"info":"Normal call clearing"`...)
		case "sendDtmf":
			buf = append(buf, `,"dtmf":"`...)
			buf = append(buf, dtmfDigits[ev.Seq%len(dtmfDigits)], '"')
			buf = append(buf, `,"type":"RFC2833"`...)
		case "transfer":
			buf = append(buf, `,"target":"`...)
			buf = appendLogin(buf, '3', ev.Seq)
			buf = append(buf, '"')
		}
	case wcs.FamilyStream:
		buf = append(buf, `,"mediaSessionId":`...)
		buf = appendString(buf, ev.Key)
		buf = appendStreamName(buf, ev.Entity)
	case wcs.FamilyDebug:
		if debugStarting(ev.From) {
			buf = append(buf, `,"command":"start"`...)
		} else {
			buf = append(buf, `,"command":"stop"`...)
		}
	}
	return buf
}

const dtmfDigits = "0123456789*#"

// appendOther appends the fields of the other hook name (hooks.md, section
// 4): a stream's statistics or recording, or a message.
func appendOther(buf []byte, ev *Event, name string) []byte {
	switch name {
	case "StreamsStatEvent":
		buf = append(buf, `,"mediaSessionId":`...)
		buf = appendString(buf, ev.Key)
		buf = appendStreamName(buf, ev.Entity)
		buf = append(buf, `,"audioBitrate":`...)
		buf = strconv.AppendInt(buf, int64(32+ev.Seq%32), 10)
		buf = append(buf, `,"videoBitrate":`...)
		buf = strconv.AppendInt(buf, int64(900+ev.Seq%600), 10)
		buf = append(buf, `,"fps":30,"width":1280,"height":720,"lostPackets":`...)
		buf = strconv.AppendInt(buf, int64(ev.Seq%5), 10)
	case "RecordingStatusEvent":
		buf = append(buf, `,"mediaSessionId":`...)
		buf = appendString(buf, ev.Key)
		buf = appendStreamName(buf, ev.Entity)
		buf = append(buf, `,"status":"RECORDING","fileName":"stream`...)
		buf = strconv.AppendInt(buf, int64(ev.Entity), 10)
		buf = append(buf, `-`...)
		buf = strconv.AppendInt(buf, baseTime/1000+int64(ev.Seq)/4, 10)
		buf = append(buf, `.mp4"`...)
	case "MessageStatusEvent":
		buf = appendMessageID(buf, ev.SessionNo, ev.Seq-1)
		buf = append(buf, `,"status":"ACCEPTED","info":""`...)
	default: // sendMessage, OnMessageEvent
		from, to := ev.SessionNo, ev.SessionNo+1
		if name == "OnMessageEvent" {
			from, to = to, from
		}
		buf = appendMessageID(buf, ev.SessionNo, ev.Seq)
		buf = append(buf, `,"from":"user`...)
		buf = strconv.AppendInt(buf, int64(from), 10)
		buf = append(buf, `","to":"user`...)
		buf = strconv.AppendInt(buf, int64(to), 10)
		buf = append(buf, `","body":"hello","contentType":"text/plain","isImdnRequired":false`...)
	}
	return buf
}

func appendMessageID(buf []byte, sess, seq int) []byte {
	buf = append(buf, `,"id":"msg-`...)
	buf = strconv.AppendInt(buf, int64(sess), 10)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, int64(seq), 10)
	return append(buf, '"')
}

func appendStreamName(buf []byte, no int) []byte {
	buf = append(buf, `,"name":"stream`...)
	buf = strconv.AppendInt(buf, int64(no), 10)
	return append(buf, '"')
}

func appendProvider(buf []byte, published bool, no int) []byte {
	if !published && no%4 == 1 {
		return append(buf, "MSE"...)
	}
	return append(buf, "WebRTC"...)
}

// appendLogin appends a SIP login: the digit, then n in four digits.
func appendLogin(buf []byte, digit byte, n int) []byte {
	n %= 10000
	return append(buf, digit, byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
}

// appendSessionID appends the sessionId of session no, as WCS makes them:
// the client's address and port, then the server's.
func appendSessionID(buf []byte, no int) []byte {
	buf = append(buf, "/10."...)
	buf = strconv.AppendInt(buf, int64(no>>16&255), 10)
	buf = append(buf, '.')
	buf = strconv.AppendInt(buf, int64(no>>8&255), 10)
	buf = append(buf, '.')
	buf = strconv.AppendInt(buf, int64(no&255), 10)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, int64(40000+no>>24), 10)
	return append(buf, "/192.168.1.102:8443"...)
}

// appendCallID appends a SIP Call-ID, unique for the entity number no.
func appendCallID(buf []byte, no, sess int) []byte {
	buf = appendHex(buf, uint64(no), 8)
	buf = append(buf, "-2f0a-11ee-be56-"...)
	buf = appendHex(buf, uint64(sess), 12)
	return append(buf, "@sip.example.com"...)
}

// appendMediaSessionID appends a media session id (a UUID), unique for
// the entity number no.
func appendMediaSessionID(buf []byte, no, sess int) []byte {
	buf = appendHex(buf, uint64(no), 8)
	buf = append(buf, "-6c3d-11ee-b962-"...)
	return appendHex(buf, uint64(sess), 12)
}

func appendOperationID(buf []byte, no int) []byte {
	buf = append(buf, "op-"...)
	return strconv.AppendInt(buf, int64(no), 10)
}

func appendHex(buf []byte, v uint64, width int) []byte {
	const digits = "0123456789abcdef"
	for i := width - 1; i >= 0; i-- {
		buf = append(buf, digits[v>>(4*uint(i))&15])
	}
	return buf
}

// appendString appends s as a JSON string: as it is when it needs no
// escape (the generator's own ids), else quoted by strconv.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
