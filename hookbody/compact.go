package hookbody

import (
	"encoding/json"

	"github.com/wcsfsm/wcsfsm/wcs"
)

// AppendWithEvent appends body, a JSON object, as one compact line of JSON
// Lines without its newline: "event" first, set to event, then the
// object's fields in their order, their values as they are but for the
// insignificant white space. An "event" field of the body itself is
// dropped: event wins. The error (an [*Error], and dst unchanged) is for a
// body that is not a JSON object.
func (d *Decoder) AppendWithEvent(dst, body []byte, event string) ([]byte, error) {
	var ev wcs.Event
	if err := d.decode(body, &ev); err != nil {
		return dst, err
	}
	b := body
	dst = append(dst, `{"event":`...)
	dst = appendQuoted(dst, event)
	i := skipWS(b, skipWS(b, 0)+1)
	for i < len(b) && b[i] == '"' {
		ks := i
		ke, esc, _ := scanString(b, i)
		vs := skipWS(b, skipWS(b, ke)+1)
		ve, _ := d.skipValue(b, vs, 1)
		var key string
		if esc {
			json.Unmarshal(b[ks:ke], &key)
		} else {
			key = bytesToString(b[ks+1 : ke-1])
		}
		if key != "event" {
			dst = append(dst, ',')
			dst = append(dst, b[ks:ke]...)
			dst = append(dst, ':')
			dst = appendCompact(dst, b[vs:ve])
		}
		i = skipWS(b, ve)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
	return append(dst, '}'), nil
}

// appendQuoted appends s as a JSON string: as it is between quotes when
// it needs no escape (a family's name never does), through encoding/json
// otherwise.
func appendQuoted(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(dst, q...)
		}
	}
	return append(append(append(dst, '"'), s...), '"')
}

// appendCompact appends the valid JSON value v without the white space
// outside its strings.
func appendCompact(dst, v []byte) []byte {
	for i := 0; i < len(v); {
		switch c := v[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		case '"':
			e, _, _ := scanString(v, i)
			dst = append(dst, v[i:e]...)
			i = e
		default:
			j := i + 1
			for j < len(v) && v[j] != ' ' && v[j] != '\t' && v[j] != '\n' && v[j] != '\r' && v[j] != '"' {
				j++
			}
			dst = append(dst, v[i:j]...)
			i = j
		}
	}
	return dst
}
