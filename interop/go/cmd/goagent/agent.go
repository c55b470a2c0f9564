package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/open-telemetry/opamp-go/client"
	"github.com/open-telemetry/opamp-go/client/types"
	"github.com/open-telemetry/opamp-go/protobufs"

	"github.com/opamp-ts/interop/internal/jsonl"
)

type options struct {
	url              string
	identifying      kvFlags
	nonIdentifying   kvFlags
	instanceUID      string
	failMarker       string
	customCapability string
	initialConfig    string
	heartbeat        time.Duration
	compression      bool
	ownTelemetry     bool
	requestUID       bool
	verbose          bool
}

const capabilities = protobufs.AgentCapabilities_AgentCapabilities_ReportsStatus |
	protobufs.AgentCapabilities_AgentCapabilities_AcceptsRemoteConfig |
	protobufs.AgentCapabilities_AgentCapabilities_ReportsEffectiveConfig |
	protobufs.AgentCapabilities_AgentCapabilities_ReportsRemoteConfig |
	protobufs.AgentCapabilities_AgentCapabilities_ReportsHealth |
	protobufs.AgentCapabilities_AgentCapabilities_ReportsHeartbeat |
	protobufs.AgentCapabilities_AgentCapabilities_AcceptsRestartCommand |
	protobufs.AgentCapabilities_AgentCapabilities_AcceptsOpAMPConnectionSettings |
	protobufs.AgentCapabilities_AgentCapabilities_ReportsConnectionSettingsStatus

type agent struct {
	opts      options
	log       *jsonl.Writer
	client    client.OpAMPClient
	uid       types.InstanceUid
	startedAt time.Time

	mu        sync.Mutex
	effective *protobufs.AgentConfigMap
}

func newAgent(opts options, log *jsonl.Writer) (*agent, error) {
	a := &agent{opts: opts, log: log, startedAt: time.Now()}
	logger := &eventLogger{verbose: opts.verbose, log: log}
	switch {
	case strings.HasPrefix(opts.url, "ws://"), strings.HasPrefix(opts.url, "wss://"):
		a.client = client.NewWebSocket(logger)
	case strings.HasPrefix(opts.url, "http://"), strings.HasPrefix(opts.url, "https://"):
		a.client = client.NewHTTP(logger)
	default:
		return nil, fmt.Errorf("url %q: want ws://, wss://, http:// or https://", opts.url)
	}
	uid, err := parseOrNewUID(opts.instanceUID)
	if err != nil {
		return nil, err
	}
	a.uid = uid
	a.effective = &protobufs.AgentConfigMap{ConfigMap: map[string]*protobufs.AgentConfigFile{
		"": {Body: []byte(opts.initialConfig), ContentType: "text/yaml"},
	}}
	return a, nil
}

func parseOrNewUID(s string) (types.InstanceUid, error) {
	if s == "" {
		u, err := uuid.NewV7()
		if err != nil {
			return types.InstanceUid{}, err
		}
		return types.InstanceUid(u), nil
	}
	raw, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(raw) != 16 {
		return types.InstanceUid{}, fmt.Errorf("instance-uid %q: want 16 bytes of hex", s)
	}
	return types.InstanceUid(raw), nil
}

func keyValues(m kvFlags) []*protobufs.KeyValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*protobufs.KeyValue, 0, len(keys))
	for _, k := range keys {
		out = append(out, &protobufs.KeyValue{
			Key:   k,
			Value: &protobufs.AnyValue{Value: &protobufs.AnyValue_StringValue{StringValue: m[k]}},
		})
	}
	return out
}

func (a *agent) start() error {
	c := a.client
	if err := c.SetAgentDescription(&protobufs.AgentDescription{
		IdentifyingAttributes:    keyValues(a.opts.identifying),
		NonIdentifyingAttributes: keyValues(a.opts.nonIdentifying),
	}); err != nil {
		return fmt.Errorf("set description: %w", err)
	}
	if err := c.SetHealth(&protobufs.ComponentHealth{
		Healthy:           true,
		StartTimeUnixNano: uint64(a.startedAt.UnixNano()),
		Status:            "running",
	}); err != nil {
		return fmt.Errorf("set health: %w", err)
	}
	// Capabilities last: opamp-go checks that health is already set when
	// ReportsHealth is declared.
	caps := capabilities
	if a.opts.ownTelemetry {
		caps |= protobufs.AgentCapabilities_AgentCapabilities_ReportsOwnMetrics |
			protobufs.AgentCapabilities_AgentCapabilities_ReportsOwnTraces |
			protobufs.AgentCapabilities_AgentCapabilities_ReportsOwnLogs
	}
	if err := c.SetCapabilities(&caps); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	if a.opts.customCapability != "" {
		if err := c.SetCustomCapabilities(&protobufs.CustomCapabilities{
			Capabilities: []string{a.opts.customCapability},
		}); err != nil {
			return fmt.Errorf("set custom capabilities: %w", err)
		}
	}
	if a.opts.requestUID {
		// C-2: ask the server for a uid; opamp-go clears the flag once one arrives.
		c.SetFlags(protobufs.AgentToServerFlags_AgentToServerFlags_RequestInstanceUid)
	}
	heartbeat := a.opts.heartbeat
	err := c.Start(context.Background(), types.StartSettings{
		OpAMPServerURL:    a.opts.url,
		InstanceUid:       a.uid,
		HeartbeatInterval: &heartbeat,
		EnableCompression: a.opts.compression,
		Callbacks: types.Callbacks{
			OnConnect: func(context.Context) {
				a.log.Emit("connected", map[string]any{"url": a.opts.url})
			},
			OnConnectFailed: func(_ context.Context, err error) {
				a.log.Emit("connect-failed", map[string]any{"error": err.Error()})
			},
			OnError: func(_ context.Context, resp *protobufs.ServerErrorResponse) {
				a.log.Emit("server-error", map[string]any{"response": jsonl.Proto(resp)})
			},
			OnMessage:          a.onMessage,
			GetEffectiveConfig: a.effectiveConfig,
			OnCommand: func(_ context.Context, cmd *protobufs.ServerToAgentCommand) error {
				a.log.Emit("command", map[string]any{"command": jsonl.Proto(cmd)})
				return nil
			},
			OnOpampConnectionSettings: func(_ context.Context, s *protobufs.OpAMPConnectionSettings) error {
				a.log.Emit("opamp-connection-settings", map[string]any{"settings": jsonl.Proto(s)})
				return nil
			},
		},
	})
	if err != nil {
		return fmt.Errorf("start client: %w", err)
	}
	a.log.Emit("started", map[string]any{
		"instanceUid": uuid.UUID(a.uid).String(),
		"url":         a.opts.url,
	})
	return nil
}

func (a *agent) stop(ctx context.Context) error {
	return a.client.Stop(ctx)
}

func (a *agent) effectiveConfig(context.Context) (*protobufs.EffectiveConfig, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &protobufs.EffectiveConfig{ConfigMap: a.effective}, nil
}

func (a *agent) onMessage(ctx context.Context, msg *types.MessageData) {
	if msg.RemoteConfig != nil {
		a.applyRemoteConfig(ctx, msg.RemoteConfig)
	}
	if msg.CustomMessage != nil {
		a.log.Emit("custom-message", map[string]any{"message": jsonl.Proto(msg.CustomMessage)})
		go a.echo(msg.CustomMessage)
	}
	if msg.CustomCapabilities != nil {
		a.log.Emit("server-custom-capabilities", map[string]any{"capabilities": jsonl.Proto(msg.CustomCapabilities)})
	}
	if msg.PackagesAvailable != nil {
		a.log.Emit("packages-available", map[string]any{"packages": jsonl.Proto(msg.PackagesAvailable)})
	}
	if msg.AgentIdentification != nil {
		a.log.Emit("agent-identification", map[string]any{"identification": jsonl.Proto(msg.AgentIdentification)})
	}
	for name, s := range map[string]*protobufs.TelemetryConnectionSettings{
		"metrics": msg.OwnMetricsConnSettings, "traces": msg.OwnTracesConnSettings, "logs": msg.OwnLogsConnSettings,
	} {
		if s != nil {
			a.log.Emit("own-telemetry-settings", map[string]any{"signal": name, "settings": jsonl.Proto(s)})
		}
	}
}

// applyRemoteConfig accepts the offered config unless a body carries the fail
// marker, then reports the outcome with the offered hash (spec: RemoteConfigStatus).
func (a *agent) applyRemoteConfig(ctx context.Context, cfg *protobufs.AgentRemoteConfig) {
	failed := ""
	for name, f := range cfg.GetConfig().GetConfigMap() {
		if a.opts.failMarker != "" && strings.Contains(string(f.GetBody()), a.opts.failMarker) {
			failed = fmt.Sprintf("config file %q contains the marker %s", name, a.opts.failMarker)
			break
		}
	}
	status := &protobufs.RemoteConfigStatus{
		LastRemoteConfigHash: cfg.GetConfigHash(),
		Status:               protobufs.RemoteConfigStatuses_RemoteConfigStatuses_APPLIED,
	}
	if failed != "" {
		status.Status = protobufs.RemoteConfigStatuses_RemoteConfigStatuses_FAILED
		status.ErrorMessage = failed
	} else {
		a.mu.Lock()
		a.effective = cfg.GetConfig()
		a.mu.Unlock()
	}
	a.log.Emit("remote-config", map[string]any{
		"config":     jsonl.Proto(cfg),
		"status":     status.Status.String(),
		"error":      failed,
		"configHash": hex.EncodeToString(cfg.GetConfigHash()),
		"bodyHash":   bodyDigest(cfg.GetConfig()),
	})
	if err := a.client.SetRemoteConfigStatus(status); err != nil {
		a.log.Emit("client-error", map[string]any{"op": "SetRemoteConfigStatus", "error": err.Error()})
	}
	if failed == "" {
		if err := a.client.UpdateEffectiveConfig(ctx); err != nil {
			a.log.Emit("client-error", map[string]any{"op": "UpdateEffectiveConfig", "error": err.Error()})
		}
	}
}

// echo sends the same capability, type and data back, waiting for the
// previous custom message to leave when one is still pending.
func (a *agent) echo(in *protobufs.CustomMessage) {
	out := &protobufs.CustomMessage{Capability: in.Capability, Type: in.Type, Data: in.Data}
	for attempt := 0; attempt < 50; attempt++ {
		sending, err := a.client.SendCustomMessage(out)
		if errors.Is(err, types.ErrCustomMessagePending) {
			select {
			case <-sending:
			case <-time.After(200 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			a.log.Emit("client-error", map[string]any{"op": "SendCustomMessage", "error": err.Error()})
			return
		}
		a.log.Emit("custom-message-echoed", map[string]any{"message": jsonl.Proto(out)})
		return
	}
	a.log.Emit("client-error", map[string]any{"op": "SendCustomMessage", "error": "still pending after 50 attempts"})
}

func bodyDigest(m *protobufs.AgentConfigMap) string {
	h := sha256.New()
	names := make([]string, 0, len(m.GetConfigMap()))
	for n := range m.GetConfigMap() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		h.Write([]byte(n))
		h.Write(m.GetConfigMap()[n].GetBody())
	}
	return hex.EncodeToString(h.Sum(nil))
}

// eventLogger adapts opamp-go's logger interface: errors become
// "library-error" events (tests read how opamp-go saw a connection end),
// debug messages go to stderr with -v.
type eventLogger struct {
	verbose bool
	log     *jsonl.Writer
}

func (l *eventLogger) Debugf(_ context.Context, format string, v ...any) {
	if l.verbose {
		fmt.Fprintf(os.Stderr, "debug: "+format+"\n", v...)
	}
}

func (l *eventLogger) Errorf(_ context.Context, format string, v ...any) {
	l.log.Emit("library-error", map[string]any{"message": fmt.Sprintf(format, v...)})
}
