package hookbody

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/wcsfsm/wcsfsm/wcs"
)

// The causes of an [Error], for errors.Is.
var (
	// ErrNotObject: the body is valid JSON, but not an object.
	ErrNotObject = errors.New("not a JSON object")
	// ErrSyntax: the body is not valid JSON (empty, cut short, or with an
	// invalid character).
	ErrSyntax = errors.New("invalid JSON")
)

// Error is why a body could not be decoded: it is not a JSON object. Its
// cause (Unwrap) is ErrNotObject or ErrSyntax.
type Error struct {
	Offset int    // byte offset in the body; -1 when the body is valid JSON of another type
	Msg    string // what was wrong there
}

// Unwrap returns the cause: ErrNotObject or ErrSyntax.
func (e *Error) Unwrap() error {
	if e.Offset < 0 {
		return ErrNotObject
	}
	return ErrSyntax
}

func (e *Error) Error() string {
	if e.Offset < 0 {
		return "not a JSON object: " + e.Msg
	}
	return "not a JSON object: " + e.Msg + " at byte " + strconv.Itoa(e.Offset)
}

// Decoder reads the fields the checks need from JSON bodies, in one pass
// and without allocating: values of other fields are checked for syntax and
// skipped, never decoded. It accepts exactly what encoding/json accepts
// (including its nesting limit) and reads each field as encoding/json would
// into a map[string]any (the last of duplicate keys wins; invalid UTF-8
// becomes U+FFFD). The zero value is ready to use; a Decoder is not safe for
// concurrent use.
type Decoder struct {
	stack []byte
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// Decode fills ev from the JSON object in body, leaving File and Line
// alone. The strings it sets point into body (no copy): they are valid
// while body is. On a syntax error ev's fields are unspecified.
//
// The error, when there is one, is an [*Error].
func (d *Decoder) Decode(body []byte, ev *wcs.Event) error {
	if err := d.decode(body, ev); err != nil {
		return err
	}
	return nil
}

func (d *Decoder) decode(body []byte, ev *wcs.Event) *Error {
	file, line := ev.File, ev.Line
	*ev = wcs.Event{File: file, Line: line}
	b := body
	i := skipWS(b, 0)
	if i >= len(b) {
		return &Error{i, "empty"}
	}
	if b[i] != '{' {
		end, err := d.skipValue(b, i, 0)
		if err == nil && skipWS(b, end) == len(b) {
			return &Error{-1, "a JSON " + describe(b[i])}
		}
		if err != nil {
			return err
		}
		return &Error{end, "invalid character " + quoteChar(b[skipWS(b, end)]) + " after the value"}
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return trailing(b, i+1)
	}
	var err *Error
	for {
		if i >= len(b) {
			return &Error{i, "unexpected end in an object"}
		}
		if b[i] != '"' {
			return &Error{i, "invalid character " + quoteChar(b[i]) + " where a key was expected"}
		}
		ks := i
		var ke int
		var flags uint8
		if j, hi := plainRun(b, i+1); j < len(b) && b[j] == '"' {
			ke = j + 1 // the common key: no escape, no control character
			if hi {
				flags = strNonASCII
			}
		} else if ke, flags, err = scanStringFlags(b, i); err != nil {
			return err
		}
		f := wcs.Field(wcs.NumFields)
		if flags != 0 {
			// Escapes or bytes outside ASCII: the key as encoding/json
			// reads it (an invalid UTF-8 key matches no field).
			var key string
			if json.Unmarshal(b[ks:ke], &key) == nil {
				f = lookupField(key)
			}
		} else {
			f = lookupField(bytesToString(b[ks+1 : ke-1]))
		}
		i = ke
		if i < len(b) && b[i] == ':' {
			i++
		} else {
			i = skipWS(b, i)
			if i >= len(b) {
				return &Error{i, "unexpected end after a key"}
			}
			if b[i] != ':' {
				return &Error{i, "invalid character " + quoteChar(b[i]) + " after a key"}
			}
			i++
		}
		i = skipWS(b, i)
		vs := i
		end := -1
		if i < len(b) {
			// The common values without the general loop; anything
			// unusual (an escape, a fraction, an error) goes to it.
			switch c := b[i]; {
			case c == '"':
				if j, hi := plainRun(b, i+1); j < len(b) && b[j] == '"' {
					end = j + 1
					if f < wcs.NumFields {
						var vflags uint8
						if hi {
							vflags = strNonASCII
						}
						setString(ev, f, b[vs:end], vflags)
					}
				}
			case '1' <= c && c <= '9':
				j := i + 1
				for j < len(b) && isDigit(b[j]) {
					j++
				}
				if j >= len(b) || b[j] != '.' && b[j] != 'e' && b[j] != 'E' {
					end = j
					if f < wcs.NumFields {
						set(ev, f, b[vs:end])
					}
				}
			case c == 't' || c == 'f' || c == 'n':
				if n := literalAt(b, i); n > 0 {
					end = i + n
					if f < wcs.NumFields {
						set(ev, f, b[vs:end])
					}
				}
			}
		}
		if end < 0 {
			end, err = d.skipValue(b, i, 1)
			if err != nil {
				return err
			}
			if f < wcs.NumFields {
				set(ev, f, b[vs:end])
			}
		}
		i = skipWS(b, end)
		if i >= len(b) {
			return &Error{i, "unexpected end in an object"}
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return trailing(b, i+1)
		default:
			return &Error{i, "invalid character " + quoteChar(b[i]) + " after a value in an object"}
		}
	}
}

func trailing(b []byte, i int) *Error {
	i = skipWS(b, i)
	if i != len(b) {
		return &Error{i, "invalid character " + quoteChar(b[i]) + " after the object"}
	}
	return nil
}

func describe(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c < 0x20 || c >= 0x7f {
		return "0x" + strconv.FormatUint(uint64(c), 16)
	}
	return "'" + string(rune(c)) + "'"
}

func lookupField(key string) wcs.Field {
	// By length first: most keys of a hook body are none of these.
	switch len(key) {
	case 5:
		if key == "event" {
			return wcs.FieldEvent
		}
	case 6:
		switch key {
		case "status":
			return wcs.FieldStatus
		case "callId":
			return wcs.FieldCallID
		case "nodeId":
			return wcs.FieldNodeID
		}
	case 9:
		switch key {
		case "sessionId":
			return wcs.FieldSessionID
		case "published":
			return wcs.FieldPublished
		}
	case 11:
		if key == "operationId" {
			return wcs.FieldOperationID
		}
	case 14:
		if key == "mediaSessionId" {
			return wcs.FieldMediaSessionID
		}
	}
	return wcs.NumFields
}

// set records the raw value v (valid JSON) of field f.
func set(ev *wcs.Event, f wcs.Field, v []byte) {
	var k wcs.JSONType
	switch v[0] {
	case '"':
		k = wcs.JSONTypeString
	case 't', 'f':
		k = wcs.JSONTypeBool
	case 'n':
		k = wcs.JSONTypeNull
	case '{':
		k = wcs.JSONTypeObject
	case '[':
		k = wcs.JSONTypeArray
	default:
		k = wcs.JSONTypeNumber
	}
	ev.Types[f] = k
	if f == wcs.FieldPublished {
		ev.Published = wcs.BoolUnset
		if k == wcs.JSONTypeBool {
			if v[0] == 't' {
				ev.Published = wcs.BoolTrue
			} else {
				ev.Published = wcs.BoolFalse
			}
		}
		return
	}
	if k == wcs.JSONTypeString {
		setString(ev, f, v, strEscape|strNonASCII)
		return
	}
	ev.Set(f, "")
}

// setString records the JSON string v of field f; flags (of
// scanStringFlags) say whether it needs decoding.
func setString(ev *wcs.Event, f wcs.Field, v []byte, flags uint8) {
	ev.Types[f] = wcs.JSONTypeString
	if f == wcs.FieldPublished {
		ev.Published = wcs.BoolUnset
		return
	}
	if flags == 0 {
		ev.Set(f, bytesToString(v[1:len(v)-1]))
		return
	}
	ev.Set(f, stringValue(v))
}

// stringValue returns the decoded JSON string v, without copying when it
// holds neither escapes nor bytes outside ASCII.
func stringValue(v []byte) string {
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return bytesToString(inner) // encoding/json keeps valid UTF-8 as it is
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// strPlain marks the bytes that may stand in a JSON string as they are.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return
}()

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString scans the string starting at b[i] == '"' and returns the
// index after its closing quote, and whether it has escapes.
func scanString(b []byte, i int) (int, bool, *Error) {
	end, flags, err := scanStringFlags(b, i)
	return end, flags&strEscape != 0, err
}

// Flags of a scanned string.
const (
	strEscape   = 1 << iota // it has a backslash escape
	strNonASCII             // it has a byte outside ASCII (maybe invalid UTF-8)
)

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special returns a word with the high bit set in (at least) the lowest
// byte of w that is '"', '\\' or a control character, and zero if there is
// none. Bits above the lowest may be spurious (a borrow), never below it.
func special(w uint64) uint64 {
	quote := w ^ (lsb * '"')
	back := w ^ (lsb * '\\')
	return ((quote-lsb)&^quote | (back-lsb)&^back | (w-lsb*0x20)&^w) & msb
}

// plainRun returns the index of the first byte at or after i that is '"',
// '\\' or a control character (len(b) if none), and whether a byte before
// it is outside ASCII: the body of a string that needs no escape, eight
// bytes at a time.
func plainRun(b []byte, i int) (int, bool) {
	var acc uint64
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i : i+8])
		if m := special(w); m != 0 {
			n := bits.TrailingZeros64(m) >> 3
			acc |= w & (1<<(n*8) - 1)
			return i + n, acc&msb != 0
		}
		acc |= w
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' || c == '\\' || c < 0x20 {
			break
		}
		acc |= uint64(c)
	}
	return i, acc&msb != 0
}

// literalAt returns the length of the literal true, false or null at b[i],
// or 0 if there is none there.
func literalAt(b []byte, i int) int {
	if i+4 > len(b) {
		return 0
	}
	switch binary.LittleEndian.Uint32(b[i : i+4]) {
	case 't' | 'r'<<8 | 'u'<<16 | 'e'<<24, 'n' | 'u'<<8 | 'l'<<16 | 'l'<<24:
		return 4
	case 'f' | 'a'<<8 | 'l'<<16 | 's'<<24:
		if i+4 < len(b) && b[i+4] == 'e' {
			return 5
		}
	}
	return 0
}

// scanStringFlags scans the string starting at b[i] == '"' and returns the
// index after its closing quote and its flags. Eight bytes at a time
// while no byte needs a look.
func scanStringFlags(b []byte, i int) (int, uint8, *Error) {
	var flags uint8
	i++
	for {
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			m := special(w)
			if m == 0 {
				if w&msb != 0 {
					flags |= strNonASCII
				}
				i += 8
				continue
			}
			n := bits.TrailingZeros64(m) / 8 // the first byte to look at
			if w&msb&(1<<(n*8)-1) != 0 {
				flags |= strNonASCII
			}
			i += n
			break
		}
		for i < len(b) && strPlain[b[i]] {
			if b[i] >= 0x80 {
				flags |= strNonASCII
			}
			i++
		}
		if i >= len(b) {
			return i, flags, &Error{i, "unexpected end in a string"}
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, flags, nil
		case c == '\\':
			flags |= strEscape
			if i+1 >= len(b) {
				return i + 1, flags, &Error{i + 1, "unexpected end in a string escape"}
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for j := i + 2; j < i+6; j++ {
					if j >= len(b) {
						return j, flags, &Error{j, "unexpected end in a string escape"}
					}
					if !isHex(b[j]) {
						return j, flags, &Error{j, "invalid character " + quoteChar(b[j]) + " in a \\u escape"}
					}
				}
				i += 6
			default:
				return i + 1, flags, &Error{i + 1, "invalid escape " + quoteChar(b[i+1]) + " in a string"}
			}
		default:
			return i, flags, &Error{i, "invalid character " + quoteChar(c) + " in a string"}
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func scanNumber(b []byte, i int) (int, *Error) {
	start := i
	if b[i] == '-' {
		i++
	}
	if i >= len(b) || !isDigit(b[i]) {
		return i, &Error{i, "invalid number"}
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, &Error{i, "invalid number"}
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, &Error{i, "invalid number"}
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	_ = start
	return i, nil
}

func scanLiteral(b []byte, i int, lit string) (int, *Error) {
	for j := 0; j < len(lit); j++ {
		if i+j >= len(b) {
			return i + j, &Error{i + j, "unexpected end in a literal"}
		}
		if b[i+j] != lit[j] {
			return i + j, &Error{i + j, "invalid character " + quoteChar(b[i+j]) + " in a literal"}
		}
	}
	return i + len(lit), nil
}

// skipValue checks the syntax of the JSON value starting at b[i] (no
// leading space) and returns the index after it. depth is the nesting of
// the containers around it. It does not recurse.
func (d *Decoder) skipValue(b []byte, i, depth int) (int, *Error) {
	end, stack, err := skipValue(b, i, depth, d.stack[:0])
	d.stack = stack[:0]
	return end, err
}

// skipValue is Decoder.skipValue with the stack of open containers passed
// in and returned, to be reused.
func skipValue(b []byte, i, depth int, stack []byte) (int, []byte, *Error) {
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return i, stack, &Error{i, "unexpected end where a value was expected"}
		}
		var err *Error
		switch c := b[i]; {
		case c == '{' || c == '[':
			if depth+len(stack)+1 > maxDepth {
				return i, stack, &Error{i, "nested deeper than " + strconv.Itoa(maxDepth)}
			}
			stack = append(stack, c)
			i = skipWS(b, i+1)
			if i < len(b) && (c == '{' && b[i] == '}' || c == '[' && b[i] == ']') {
				stack = stack[:len(stack)-1]
				i++
				break
			}
			if c == '{' {
				if i, err = objectKey(b, i); err != nil {
					return i, stack, err
				}
			}
			continue
		case c == '"':
			if j, _ := plainRun(b, i+1); j < len(b) && b[j] == '"' {
				i = j + 1
			} else {
				i, _, err = scanString(b, i)
			}
		case c == '-' || isDigit(c):
			i, err = scanNumber(b, i)
		case c == 't':
			i, err = scanLiteral(b, i, "true")
		case c == 'f':
			i, err = scanLiteral(b, i, "false")
		case c == 'n':
			i, err = scanLiteral(b, i, "null")
		default:
			return i, stack, &Error{i, "invalid character " + quoteChar(c) + " where a value was expected"}
		}
		if err != nil {
			return i, stack, err
		}
		// After a value: close containers, or go on to the next element.
	after:
		for {
			if len(stack) == 0 {
				return i, stack, nil
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, stack, &Error{i, "unexpected end in an " + containerName(stack[len(stack)-1])}
			}
			top := stack[len(stack)-1]
			switch c := b[i]; {
			case c == ',':
				i = skipWS(b, i+1)
				if top == '{' {
					if i, err = objectKey(b, i); err != nil {
						return i, stack, err
					}
				}
				break after
			case top == '{' && c == '}' || top == '[' && c == ']':
				stack = stack[:len(stack)-1]
				i++
			default:
				return i, stack, &Error{i, "invalid character " + quoteChar(c) + " after a value in an " + containerName(top)}
			}
		}
	}
}

func containerName(c byte) string {
	if c == '{' {
		return "object"
	}
	return "array"
}

// objectKey scans `"key" :` at b[i] and returns the index of the value.
func objectKey(b []byte, i int) (int, *Error) {
	if i >= len(b) {
		return i, &Error{i, "unexpected end where a key was expected"}
	}
	if b[i] != '"' {
		return i, &Error{i, "invalid character " + quoteChar(b[i]) + " where a key was expected"}
	}
	if j, _ := plainRun(b, i+1); j < len(b) && b[j] == '"' {
		i = j + 1
	} else {
		var err *Error
		if i, _, err = scanString(b, i); err != nil {
			return i, err
		}
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return i, &Error{i, "unexpected end after a key"}
	}
	if b[i] != ':' {
		return i, &Error{i, "invalid character " + quoteChar(b[i]) + " after a key"}
	}
	return skipWS(b, i+1), nil
}
