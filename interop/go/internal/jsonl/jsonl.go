// Package jsonl writes one JSON object per line, safely from many goroutines.
// The interop tests read these lines as the event stream of a peer, so every
// line is a complete object with an "event" key and a "time" stamp.
package jsonl

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Writer serialises events to an io.Writer, one line each.
type Writer struct {
	mu  sync.Mutex
	out io.Writer
}

// New returns a Writer on out.
func New(out io.Writer) *Writer {
	return &Writer{out: out}
}

// Open returns a Writer on stdout when path is empty or "-", else on the file
// at path (created or truncated).
func Open(path string) (*Writer, io.Closer, error) {
	if path == "" || path == "-" {
		return New(os.Stdout), noClose{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open log file: %w", err)
	}
	return New(f), f, nil
}

// StopOnStdinEOF calls stop once standard input reaches end of file: a parent
// that holds the write end of the pipe and dies takes its peers with it, so no
// test run leaves processes behind.
func StopOnStdinEOF(stop func()) {
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
}

// noClose is the closer of stdout: the process owns it, not the writer.
type noClose struct{}

func (noClose) Close() error { return nil }

// Emit writes the event name, a timestamp and the given fields as one line.
func (w *Writer) Emit(event string, fields map[string]any) {
	line := make(map[string]any, len(fields)+2)
	for k, v := range fields {
		line[k] = v
	}
	line["event"] = event
	line["time"] = time.Now().UTC().Format(time.RFC3339Nano)
	data, err := json.Marshal(line)
	if err != nil {
		data, _ = json.Marshal(map[string]any{"event": "log-error", "error": err.Error()})
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.out.Write(append(data, '\n'))
}

// Proto renders a protobuf message as canonical protojson (lowerCamelCase
// field names, enums by name, 64-bit integers as strings, bytes as base64), so
// the TypeScript side can parse it with protobuf-es fromJson.
func Proto(m proto.Message) json.RawMessage {
	data, err := protojson.Marshal(m)
	if err != nil {
		quoted, _ := json.Marshal(err.Error())
		return json.RawMessage(`{"marshalError":` + string(quoted) + `}`)
	}
	return json.RawMessage(data)
}
