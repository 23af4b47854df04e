// Package hookbody reads the few fields the checks need from the JSON body
// of a WCS REST hook, without decoding the rest and without allocating.
//
// A [Decoder] fills a [wcs.Event] from one body: event, status, sessionId,
// callId, mediaSessionId, operationId, nodeId and published, with the JSON
// type each had (a null, a number or an object where a string belongs is a
// finding for the tracker, not an error here). It accepts exactly what
// encoding/json accepts; a body that is not a JSON object is an [*Error]
// whose cause is [ErrNotObject] or [ErrSyntax].
package hookbody
