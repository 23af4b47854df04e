package hookbody

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/wcsfsm/wcsfsm/wcs"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diffResult is what a decoder made of a body: valid or not, and each field's
// JSON type and value.
type diffResult struct {
	Valid     bool
	Kinds     [wcs.NumFields]string
	Strings   [wcs.NumFields]string
	Published wcs.Bool
}

// diffFast runs the Decoder under test.
func diffFast(body []byte) diffResult {
	var d Decoder
	var ev wcs.Event
	var out diffResult
	if d.Decode(body, &ev) != nil {
		return out
	}
	out.Valid = true
	for f := wcs.Field(0); f < wcs.NumFields; f++ {
		out.Kinds[f] = ev.Types[f].String()
		if f != wcs.FieldPublished {
			out.Strings[f] = ev.Get(f)
		}
	}
	out.Published = ev.Published
	return out
}

// diffRef is the reference: encoding/json into a map[string]any (numbers
// as json.Number, so that a number too large for a float64 is read as the
// number it is rather than failing the whole body), then the same fields
// read from the map. A body is valid when it is one JSON object and
// nothing else.
func diffRef(body []byte) diffResult {
	var out diffResult
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return out
	}
	var rest any
	if err := dec.Decode(&rest); !errors.Is(err, io.EOF) {
		return out // something after the object
	}
	out.Valid = true
	for f := wcs.Field(0); f < wcs.NumFields; f++ {
		v, ok := m[f.String()]
		k := wcs.JSONTypeAbsent
		switch v := v.(type) {
		case string:
			k = wcs.JSONTypeString
			if f != wcs.FieldPublished {
				out.Strings[f] = v
			}
		case json.Number:
			k = wcs.JSONTypeNumber
		case bool:
			k = wcs.JSONTypeBool
			if f == wcs.FieldPublished {
				out.Published = wcs.BoolFalse
				if v {
					out.Published = wcs.BoolTrue
				}
			}
		case nil:
			if ok {
				k = wcs.JSONTypeNull
			}
		case map[string]any:
			k = wcs.JSONTypeObject
		case []any:
			k = wcs.JSONTypeArray
		}
		out.Kinds[f] = k.String()
	}
	return out
}

// diffCheck fails t when the fast decoder and the reference disagree on
// body, and when json.Valid disagrees on validity.
func diffCheck(t testing.TB, body []byte) {
	t.Helper()
	got, want := diffFast(body), diffRef(body)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("decoder and encoding/json disagree on %q (-encoding/json +decoder):\n%s", body, diff)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if valid := json.Valid(body) && len(trimmed) > 0 && trimmed[0] == '{'; valid != got.Valid {
		t.Fatalf("%q: json.Valid says object=%v, the decoder %v", body, valid, got.Valid)
	}
}

func diffNest(open, close string, n int) string {
	return strings.Repeat(open, n) + strings.Repeat(close, n)
}

// TestDecodeAgreesWithEncodingJSON: tricky bodies, each with why it is
// tricky; every row must decode as encoding/json decodes it.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	long := strings.Repeat("abcdefgh", 5)
	tests := []struct {
		why  string
		body string
	}{
		{"every wcs.Field, plain", `{"event":"StreamStatusEvent","status":"PUBLISHING","sessionId":"s","callId":"c","mediaSessionId":"m","operationId":"o","nodeId":"n","published":true}`},
		{"whitespace everywhere JSON allows it", " \t\r\n{ \"status\" :\t\"X\" ,\n\"published\"\r: false } \n"},
		{"an empty object", `{}`},
		{"escapes in a value are decoded", `{"status":"\u0053TART\u0045D","sessionId":"a\"b\\c\/d\b\f\n\r\t"}`},
		{"an escaped key names its field", `{"\u0073tatus":"X","sess\u0069onId":"s"}`},
		{"a surrogate pair is one rune", `{"sessionId":"\ud83d\ude00"}`},
		{"a lone high surrogate becomes U+FFFD", `{"sessionId":"a\ud800b"}`},
		{"a lone low surrogate becomes U+FFFD", `{"sessionId":"\udc00"}`},
		{"a high surrogate followed by a non-surrogate escape", `{"sessionId":"\ud800\u0041"}`},
		{"invalid UTF-8 in a value becomes U+FFFD", "{\"sessionId\":\"a\xffb\xc3\"}"},
		{"valid UTF-8 in a value is kept as it is", `{"sessionId":"Алиса ünïcödé 中文"}`},
		{"invalid UTF-8 in a key: no field", "{\"status\xff\":\"X\"}"},
		{"UTF-8 in a key: no field", `{"stätus":"X"}`},
		{"keys are case-sensitive, as in a map", `{"Status":"X","SESSIONID":"s"}`},
		{"duplicate keys: the last wins", `{"status":"A","status":"B"}`},
		{"duplicate keys: a string then a number", `{"status":"A","status":1}`},
		{"duplicate keys: a number then a string", `{"status":1,"status":"B"}`},
		{"duplicate published: a bool then a string", `{"published":true,"published":"true"}`},
		{"duplicate published: null then false", `{"published":null,"published":false}`},
		{"wrong types in every field", `{"event":1,"status":{},"sessionId":[],"callId":true,"mediaSessionId":null,"operationId":-1.5e3,"nodeId":{"a":[1]},"published":"yes"}`},
		{"nesting at encoding/json's limit", `{"x":` + diffNest("[", "]", maxDepth-1) + `}`},
		{"nesting one past encoding/json's limit", `{"x":` + diffNest("[", "]", maxDepth) + `}`},
		{"objects nested at the limit", `{"x":` + strings.Repeat(`{"a":`, maxDepth-1) + "1" + strings.Repeat("}", maxDepth-1) + `}`},
		{"numbers JSON allows", `{"a":-0,"b":0.5e-3,"c":1E+2,"d":123456789012345678901234567890,"e":-1.0e-0}`},
		{"a number too large for a float64 is still JSON", `{"status":1e999,"a":-1e400}`},
		{"a leading zero", `{"a":01}`},
		{"a trailing dot", `{"a":1.}`},
		{"a leading dot", `{"a":.5}`},
		{"a lone minus", `{"a":-}`},
		{"an empty exponent", `{"a":1e}`},
		{"a plus sign", `{"a":+1}`},
		{"hex is not JSON", `{"a":0x10}`},
		{"NaN is not JSON", `{"a":NaN}`},
		{"a literal cut short", `{"a":tru}`},
		{"a literal too long", `{"a":falsey}`},
		{"null misspelt", `{"a":nul}`},
		{"trailing garbage", `{} x`},
		{"a second object", `{}{}`},
		{"a trailing comma", `{"a":1,}`},
		{"a closing brace too many", `{"a":1}}`},
		{"a raw NUL in a string", "{\"status\":\"A\x00B\"}"},
		{"a NUL escape is a character", `{"status":"A\u0000B"}`},
		{"a NUL after the object", "{}\x00"},
		{"a raw tab in a string", "{\"status\":\"A\tB\"}"},
		{"a raw DEL in a string is allowed", "{\"status\":\"A\x7fB\"}"},
		{"an invalid escape", `{"status":"\x41"}`},
		{"a short \\u escape", `{"status":"\u12"}`},
		{"a \\u escape with a non-hex digit", `{"status":"\u12g4"}`},
		{"a string cut short", `{"status":"ABC`},
		{"a string ending in a backslash", `{"status":"ABC\`},
		{"an object cut short", `{"status":"ABC"`},
		{"a key without a value", `{"status"}`},
		{"a key without a colon", `{"status" "X"}`},
		{"a key that is not a string", `{status:"X"}`},
		{"single quotes are not JSON", `{'status':'X'}`},
		{"not an object: an array", `[{"status":"X"}]`},
		{"not an object: a string", `"status"`},
		{"not an object: null", `null`},
		{"not an object: a number", `12`},
		{"not an object: true", `true`},
		{"empty", ``},
		{"only whitespace", " \t "},
		{"a byte order mark is not whitespace", "\xef\xbb\xbf{}"},
		{"a long plain string, the quote at each of eight offsets", `{"status":"` + long + `","a":"` + long[:33] + `","b":"` + long[:34] + `","c":"` + long[:35] + `","d":"` + long[:36] + `","e":"` + long[:37] + `","f":"` + long[:38] + `","g":"` + long[:39] + `"}`},
		{"UTF-8 before the quote in the same eight bytes", `{"sessionId":"abcdé"}`},
		{"an escape in the second eight bytes", `{"sessionId":"abcdefghij\"klmnop"}`},
		{"a control character in the second eight bytes", "{\"sessionId\":\"abcdefghij\x1fklmnop\"}"},
		{"bytes 0x20, 0x21, 0x23, 0x5b, 0x5d next to the specials", `{"sessionId":" !#[]` + "\x7f" + `"}`},
		{"values of every type inside containers", `{"a":[1,-2.5,"x\"y",true,false,null,{"b":[]},{}],"status":"S"}`},
		{"a container where a key belongs", `{"a":{"b":1,[]:2}}`},
		{"a missing value in an array", `{"a":[1,,2]}`},
		{"an array closed by a brace", `{"a":[1}`},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			diffCheck(t, []byte(tt.body))
		})
	}
}

// TestDecodeAgreesOnMutations: every line of the logs under testdata/, cut
// short at many places and with one byte replaced by a troublesome one,
// decodes as encoding/json decodes it.
func TestDecodeAgreesOnMutations(t *testing.T) {
	logs, _ := filepath.Glob("../testdata/*.jsonl")
	more, _ := filepath.Glob("../testdata/*/*.jsonl")
	logs = append(logs, more...)
	if len(logs) == 0 {
		t.Fatal("no logs under testdata/")
	}
	step := 5
	if testing.Short() {
		step = 23
	}
	subs := []byte{'"', '\\', '{', '}', '[', ',', ':', ' ', '1', 'u', 0, 0x1f, 0x80, 0xff}
	n := 0
	for _, l := range logs {
		data, err := os.ReadFile(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			line = bytes.TrimSuffix(line, []byte("\r"))
			diffCheck(t, line)
			for i := 0; i < len(line); i += step {
				diffCheck(t, line[:i])
				for _, c := range subs {
					m := bytes.Clone(line)
					m[i] = c
					diffCheck(t, m)
					n++
				}
			}
		}
	}
	t.Logf("%d mutations", n)
}

// FuzzDecode: for any body, the decoder and encoding/json agree: valid or
// not, and every field's presence, type and value. The seeds under
// testdata/fuzz/FuzzDecode are bodies that once needed care.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"event":"StreamStatusEvent","status":"PUBLISHING","sessionId":"s","mediaSessionId":"m","published":true}`,
		`{"\u0073tatus":"\ud83d\ude00","status":"x","bitrate":1e999}`,
		"{\"status\":\"a\xffb\",\"nodeId\":\"\\ud800\"}",
		`{"a":[{"b":[true,false,null,-0.5e+3]}],"published":"true"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		diffCheck(t, body)
	})
}
