package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/wcsfsm/wcsfsm/hookbody"
	"github.com/wcsfsm/wcsfsm/wcs"
)

// publisher is serve -nats: it judges nothing and keeps nothing; each hook
// goes to its partition of the stream, acknowledged by JetStream before
// the hook is answered.
type publisher struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	layout streamLayout
	wait   time.Duration // -publish-wait: how long a hook's publish is tried
	idBase string        // this process's part of the hooks' ids
	n      atomic.Uint64 // hooks published
	failed atomic.Int64  // hooks answered 503: not stored
}

// defaultPublishWait is how long serve -nats tries to store a hook (over a
// JetStream server restarted, a leader elected) before it answers 503.
const defaultPublishWait = 10 * time.Second

func newPublisher(ctx context.Context, f *natsFlags, wait time.Duration, cfg serveConfig) (*publisher, error) {
	host, _ := os.Hostname()
	nc, js, err := connectNATS(*f.url, "wcsfsm serve "+host, cfg.logger())
	if err != nil {
		return nil, err
	}
	l, err := f.ensureStream(ctx, js)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &publisher{nc: nc, js: js, layout: l, wait: wait, idBase: nuid.Next() + "-"}, nil
}

// publish stores one hook on partition p: tried again, with one id, until
// JetStream acknowledges it or wait runs out, so that a hook tried again
// after a lost acknowledgement is stored once (the stream's duplicate
// window).
func (pb *publisher) publish(ctx context.Context, p int, hook string, body []byte, tooLarge int64) error {
	m := &nats.Msg{Subject: pb.layout.subject(p), Data: body, Header: nats.Header{}}
	if hook != "" {
		m.Header[hookHeader] = []string{hook}
	}
	if tooLarge > 0 {
		m.Header[tooLargeHeader] = []string{strconv.FormatInt(tooLarge, 10)}
	}
	id := pb.idBase + strconv.FormatUint(pb.n.Add(1), 36)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pb.wait)
	defer cancel()
	for {
		err := pb.try(ctx, m, id)
		if err == nil {
			return nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.Code != 503 {
			return err // refused for good: a limit, a wrong stream
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not stored in %v: %w", pb.wait, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// try publishes m once, asynchronously (the publishes of the hooks in
// flight go out together), and waits 2 s at most for its acknowledgement.
func (pb *publisher) try(ctx context.Context, m *nats.Msg, id string) error {
	f, err := pb.js.PublishMsgAsync(m, jetstream.WithMsgID(id), jetstream.WithExpectStream(pb.layout.Stream))
	if err != nil {
		return err
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return err
	case <-t.C:
		return errors.New("no acknowledgement in 2s")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (pb *publisher) close(log *slog.Logger) {
	log.Info(fmt.Sprintf("stopped; %s published, %s not stored (answered 503)", plural(int64(pb.n.Load()), "hook"), plural(pb.failed.Load(), "hook")),
		"published", pb.n.Load(), "failed", pb.failed.Load())
	pb.nc.Drain()
	deadline := time.Now().Add(5 * time.Second)
	for !pb.nc.IsClosed() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	pb.nc.Close()
}

// ingress answers a hook of serve -nats: decoded for its name and its
// partition only, published, answered 200 with its body once stored (503
// when it could not be).
func (h *hookServer) ingress(w http.ResponseWriter, r *http.Request, body []byte, tooLarge bool) {
	start := time.Now()
	hook, p := "", 0
	if !tooLarge {
		dec := h.decoders.Get().(*hookbody.Decoder)
		var ev wcs.Event
		if dec.Decode(body, &ev) == nil {
			name, named := hookName(r.URL.Path, &ev)
			if named {
				hook = name
			}
			ev.Event = name
			node, key := ev.ShardKey()
			p = wcs.Partition(node, key, h.pub.layout.Partitions)
		} else if seg := wcs.LastSegment(r.URL.Path); seg != "" {
			// A body that is no JSON object: the consumer of partition 0
			// makes its finding, named by the path.
			hook = seg
		}
		h.decoders.Put(dec)
	}
	var limit int64
	if tooLarge {
		limit = h.cfg.MaxBody
		body = nil
	}
	err := h.pub.publish(r.Context(), p, hook, body, limit)
	h.prom.observePublish(start, err)
	switch {
	case err != nil:
		h.pub.failed.Add(1)
		h.logger().Warn("hook not stored: "+err.Error(), "err", err.Error())
		h.answer(w, http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte("the hook could not be stored in JetStream: "+err.Error()+"\n"))
	case tooLarge:
		h.answer(w, http.StatusRequestEntityTooLarge, "text/plain; charset=utf-8", []byte("request body too large\n"))
	default:
		h.observeHook(start)
		h.answer(w, http.StatusOK, "application/json", body)
	}
}
