package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/open-telemetry/opamp-go/protobufs"
	"github.com/open-telemetry/opamp-go/server/types"
	"google.golang.org/protobuf/proto"

	"github.com/opamp-ts/interop/internal/jsonl"
)

// serverCapabilities is everything this peer can offer; it is set on every
// reply so agents see it on their first (and, over HTTP, every) response.
const serverCapabilities = protobufs.ServerCapabilities_ServerCapabilities_AcceptsStatus |
	protobufs.ServerCapabilities_ServerCapabilities_OffersRemoteConfig |
	protobufs.ServerCapabilities_ServerCapabilities_AcceptsEffectiveConfig |
	protobufs.ServerCapabilities_ServerCapabilities_OffersPackages |
	protobufs.ServerCapabilities_ServerCapabilities_AcceptsPackagesStatus |
	protobufs.ServerCapabilities_ServerCapabilities_OffersConnectionSettings |
	protobufs.ServerCapabilities_ServerCapabilities_AcceptsConnectionSettingsRequest

// received is one AgentToServer as seen by the server, with the transport and
// the HTTP headers that carried it (for gzip checks).
type received struct {
	Seq             int             `json:"seq"`
	Transport       string          `json:"transport"`
	ContentEncoding string          `json:"contentEncoding,omitempty"`
	AcceptEncoding  string          `json:"acceptEncoding,omitempty"`
	Message         json.RawMessage `json:"message"`
}

// agent is what the server remembers about one instance_uid.
type agent struct {
	id        string
	transport string
	wsConn    types.Connection
	pending   []*protobufs.ServerToAgent
	messages  []received
	lastSeen  time.Time
}

// registry holds all agents and the queue of messages for HTTP agents.
type registry struct {
	// omitCapabilities leaves ServerToAgent.capabilities unset, as opamp-go's
	// default OnMessage does (spec pitfall: clients must cope).
	omitCapabilities bool

	mu     sync.Mutex
	agents map[string]*agent
	order  []string
	seq    int
	log    *jsonl.Writer
}

func newRegistry(log *jsonl.Writer) *registry {
	return &registry{agents: map[string]*agent{}, log: log}
}

// formatUID renders 16 bytes in the 8-4-4-4-12 form; other lengths as hex.
func formatUID(uid []byte) string {
	h := hex.EncodeToString(uid)
	if len(uid) != 16 {
		return h
	}
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// connMeta is what OnConnecting learned about the request that opened a connection.
type connMeta struct {
	transport       string
	contentEncoding string
	acceptEncoding  string
	// extensions is the Sec-WebSocket-Extensions header the agent offered.
	extensions string
	remote     string
}

// onMessage records msg and builds the reply: instance_uid, capabilities and
// everything queued for the agent while it had no open WebSocket (HTTP agents
// get their queue on each poll).
func (r *registry) onMessage(meta connMeta, conn types.Connection, msg *protobufs.AgentToServer) *protobufs.ServerToAgent {
	id := formatUID(msg.GetInstanceUid())
	body := jsonl.Proto(msg)
	raw, _ := proto.Marshal(msg)

	r.mu.Lock()
	a, ok := r.agents[id]
	if !ok {
		a = &agent{id: id}
		r.agents[id] = a
		r.order = append(r.order, id)
	}
	a.transport = meta.transport
	a.lastSeen = time.Now()
	if meta.transport == "websocket" {
		a.wsConn = conn
	}
	r.seq++
	entry := received{
		Seq:             r.seq,
		Transport:       meta.transport,
		ContentEncoding: meta.contentEncoding,
		AcceptEncoding:  meta.acceptEncoding,
		Message:         body,
	}
	a.messages = append(a.messages, entry)
	reply := a.takePending()
	// Logged under the lock so the log's order is the seq order.
	r.log.Emit("message", map[string]any{
		"agent":           id,
		"seq":             entry.Seq,
		"transport":       meta.transport,
		"contentEncoding": meta.contentEncoding,
		"acceptEncoding":  meta.acceptEncoding,
		"message":         body,
		"raw":             raw,
	})
	r.mu.Unlock()

	reply.InstanceUid = msg.GetInstanceUid()
	r.setCapabilities(reply)
	if msg.GetFlags()&uint64(protobufs.AgentToServerFlags_AgentToServerFlags_RequestInstanceUid) != 0 &&
		reply.AgentIdentification == nil {
		// The agent asked for a uid (spec: RequestInstanceUid): assign a UUID v7.
		if uid, err := uuid.NewV7(); err == nil {
			reply.AgentIdentification = &protobufs.AgentIdentification{NewInstanceUid: uid[:]}
		}
	}
	if hasPayload(reply) {
		r.log.Emit("sent", map[string]any{"agent": id, "transport": meta.transport, "message": jsonl.Proto(reply)})
	}
	return reply
}

// onClose forgets the WebSocket connection of whichever agent used it.
func (r *registry) onClose(conn types.Connection) {
	r.mu.Lock()
	var ids []string
	for _, a := range r.agents {
		if a.wsConn == conn {
			a.wsConn = nil
			ids = append(ids, a.id)
		}
	}
	r.mu.Unlock()
	for _, id := range ids {
		r.log.Emit("disconnected", map[string]any{"agent": id})
	}
}

func (r *registry) setCapabilities(m *protobufs.ServerToAgent) {
	if r.omitCapabilities {
		m.Capabilities = 0
		return
	}
	m.Capabilities = uint64(serverCapabilities)
}

func hasPayload(m *protobufs.ServerToAgent) bool {
	return m.RemoteConfig != nil || m.ConnectionSettings != nil || m.PackagesAvailable != nil ||
		m.Command != nil || m.CustomMessage != nil || m.Flags != 0 || m.ErrorResponse != nil ||
		m.AgentIdentification != nil || m.CustomCapabilities != nil
}

// takePending pops what the next reply can carry: a queued command goes alone
// (spec: when command is set the agent ignores every other field), other
// queued messages are merged up to the next command.
func (a *agent) takePending() *protobufs.ServerToAgent {
	reply := &protobufs.ServerToAgent{}
	if len(a.pending) == 0 {
		return reply
	}
	if first := a.pending[0]; first.Command != nil {
		a.pending = a.pending[1:]
		return proto.Clone(first).(*protobufs.ServerToAgent)
	}
	for len(a.pending) > 0 && a.pending[0].Command == nil {
		flags := reply.Flags | a.pending[0].Flags
		proto.Merge(reply, a.pending[0])
		reply.Flags = flags
		a.pending = a.pending[1:]
	}
	return reply
}

var errUnknownAgent = errors.New("unknown agent")

// deliver sends msg now over the agent's WebSocket, or queues it for the
// agent's next HTTP poll (merging with anything already queued). It returns
// "sent" or "queued".
func (r *registry) deliver(id string, msg *protobufs.ServerToAgent) (string, error) {
	r.mu.Lock()
	a, ok := r.agents[id]
	if !ok {
		r.mu.Unlock()
		return "", fmt.Errorf("%w %q", errUnknownAgent, id)
	}
	conn := a.wsConn
	if conn == nil {
		a.pending = append(a.pending, msg)
		r.mu.Unlock()
		r.log.Emit("queued", map[string]any{"agent": id, "message": jsonl.Proto(msg)})
		return "queued", nil
	}
	r.mu.Unlock()
	r.setCapabilities(msg)
	uid, err := parseUID(id)
	if err == nil {
		msg.InstanceUid = uid
	}
	if err := conn.Send(context.Background(), msg); err != nil {
		return "", fmt.Errorf("send to %s: %w", id, err)
	}
	r.log.Emit("sent", map[string]any{"agent": id, "transport": "websocket", "message": jsonl.Proto(msg)})
	return "sent", nil
}

// disconnect closes the agent's WebSocket the way opamp-go's Connection.Disconnect
// does: the TCP connection is closed without a Close frame.
func (r *registry) disconnect(id string) error {
	r.mu.Lock()
	a, ok := r.agents[id]
	var conn types.Connection
	if ok {
		conn = a.wsConn
	}
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w %q", errUnknownAgent, id)
	}
	if conn == nil {
		return fmt.Errorf("agent %s has no open WebSocket", id)
	}
	return conn.Disconnect()
}

func parseUID(id string) ([]byte, error) {
	return hex.DecodeString(strings.ReplaceAll(id, "-", ""))
}

// agentSummary is one row of GET /agents.
type agentSummary struct {
	ID        string `json:"id"`
	Transport string `json:"transport"`
	Connected bool   `json:"connected"`
	Messages  int    `json:"messages"`
	LastSeen  string `json:"lastSeen"`
}

func (r *registry) list() []agentSummary {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]agentSummary, 0, len(r.order))
	for _, id := range r.order {
		a := r.agents[id]
		out = append(out, agentSummary{
			ID:        id,
			Transport: a.transport,
			Connected: a.wsConn != nil,
			Messages:  len(a.messages),
			LastSeen:  a.lastSeen.UTC().Format(time.RFC3339Nano),
		})
	}
	return out
}

func (r *registry) messagesOf(id string, since int) ([]received, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", errUnknownAgent, id)
	}
	out := []received{}
	for _, m := range a.messages {
		if m.Seq > since {
			out = append(out, m)
		}
	}
	return out, nil
}
