package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"sync"
)

// serve logs through log/slog to standard error, in one of two formats
// (-log-format):
//
//   - text: a line a record, "wcsfsm serve: " and its message, a warning's
//     after "warning: ". The message says all its attributes do, so that
//     the lines read as they always have
//     ("wcsfsm serve: listening on http://127.0.0.1:8081", which scripts
//     parse); the attributes are for json.
//   - json: slog's JSON handler, an object a line with time, level, msg
//     and the attributes (the listening line's addr, the host:port).

// newLogger returns serve's logger of -log-format format on w.
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	return newCommandLogger(w, format, "wcsfsm serve")
}

// newCommandLogger returns the logger of -log-format format on w of the
// command named name ("wcsfsm consume").
func newCommandLogger(w io.Writer, format, name string) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(&textHandler{mu: new(sync.Mutex), w: w, prefix: name + ": "}), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, errors.New("-log-format takes text or json, not " + strconv.Quote(format))
}

// textHandler is -log-format text: the message alone, after the command's
// name, a line a record, each with one write.
type textHandler struct {
	mu     *sync.Mutex // shared by the handlers derived from one
	w      io.Writer
	prefix string // "wcsfsm serve: "
}

func (h *textHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *textHandler) Handle(_ context.Context, r slog.Record) error {
	b := make([]byte, 0, len(h.prefix)+len("warning: ")+len(r.Message)+1)
	b = append(b, h.prefix...)
	if r.Level >= slog.LevelWarn && r.Level < slog.LevelError {
		b = append(b, "warning: "...)
	}
	b = append(append(b, r.Message...), '\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(b)
	return err
}

// The attributes are not written: the message says what they do.
func (h *textHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *textHandler) WithGroup(string) slog.Handler      { return h }

// logger is serve's logger (-log-format), or one that writes nothing.
func (h *hookServer) logger() *slog.Logger { return h.cfg.logger() }

func (cfg serveConfig) logger() *slog.Logger {
	if cfg.Log != nil {
		return cfg.Log
	}
	return discardLog
}

var discardLog = slog.New(slog.DiscardHandler)
