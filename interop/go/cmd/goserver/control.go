package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/open-telemetry/opamp-go/protobufs"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/opamp-ts/interop/internal/jsonl"
)

// controlAPI is the loopback JSON API the tests drive the server with. Every
// action takes the agent id (8-4-4-4-12 instance_uid) in the path and, where
// it needs one, a protojson body of the ServerToAgent sub-message it sends.
type controlAPI struct {
	reg *registry
}

func (c *controlAPI) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /agents", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"agents": c.reg.list()})
	})
	mux.HandleFunc("GET /agents/{id}/messages", c.messages)
	mux.HandleFunc("POST /agents/{id}/remote-config", c.remoteConfig)
	mux.HandleFunc("POST /agents/{id}/report-full-state", c.reportFullState)
	mux.HandleFunc("POST /agents/{id}/connection-settings", c.connectionSettings)
	mux.HandleFunc("POST /agents/{id}/packages", c.packages)
	mux.HandleFunc("POST /agents/{id}/restart", c.restart)
	mux.HandleFunc("POST /agents/{id}/custom-message", c.customMessage)
	mux.HandleFunc("POST /agents/{id}/send", c.send)
	mux.HandleFunc("POST /agents/{id}/disconnect", c.disconnect)
	return mux
}

func (c *controlAPI) messages(w http.ResponseWriter, req *http.Request) {
	since := 0
	if s := req.URL.Query().Get("since"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Errorf("since: %w", err))
			return
		}
		since = n
	}
	msgs, err := c.reg.messagesOf(req.PathValue("id"), since)
	if err != nil {
		writeError(w, http.StatusNotFound, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": msgs})
}

// remoteConfig sends an AgentRemoteConfig; the config_hash is computed when the
// body leaves it empty, and returned as hex.
func (c *controlAPI) remoteConfig(w http.ResponseWriter, req *http.Request) {
	cfg := &protobufs.AgentRemoteConfig{}
	if !readProto(w, req, cfg) {
		return
	}
	if len(cfg.ConfigHash) == 0 {
		cfg.ConfigHash = hashConfigMap(cfg.GetConfig())
	}
	c.deliver(w, req, &protobufs.ServerToAgent{RemoteConfig: cfg}, map[string]any{"hash": fmt.Sprintf("%x", cfg.ConfigHash)})
}

func (c *controlAPI) reportFullState(w http.ResponseWriter, req *http.Request) {
	c.deliver(w, req, &protobufs.ServerToAgent{
		Flags: uint64(protobufs.ServerToAgentFlags_ServerToAgentFlags_ReportFullState),
	}, nil)
}

// connectionSettings sends a ConnectionSettingsOffers (OpAMP, own telemetry,
// other); its hash is computed over the protobuf encoding when empty.
func (c *controlAPI) connectionSettings(w http.ResponseWriter, req *http.Request) {
	offers := &protobufs.ConnectionSettingsOffers{}
	if !readProto(w, req, offers) {
		return
	}
	if len(offers.Hash) == 0 {
		offers.Hash = hashProto(offers)
	}
	c.deliver(w, req, &protobufs.ServerToAgent{ConnectionSettings: offers}, map[string]any{"hash": fmt.Sprintf("%x", offers.Hash)})
}

func (c *controlAPI) packages(w http.ResponseWriter, req *http.Request) {
	pkgs := &protobufs.PackagesAvailable{}
	if !readProto(w, req, pkgs) {
		return
	}
	if len(pkgs.AllPackagesHash) == 0 {
		pkgs.AllPackagesHash = hashProto(pkgs)
	}
	c.deliver(w, req, &protobufs.ServerToAgent{PackagesAvailable: pkgs}, map[string]any{"hash": fmt.Sprintf("%x", pkgs.AllPackagesHash)})
}

func (c *controlAPI) restart(w http.ResponseWriter, req *http.Request) {
	c.deliver(w, req, &protobufs.ServerToAgent{
		Command: &protobufs.ServerToAgentCommand{Type: protobufs.CommandType_CommandType_Restart},
	}, nil)
}

func (c *controlAPI) customMessage(w http.ResponseWriter, req *http.Request) {
	msg := &protobufs.CustomMessage{}
	if !readProto(w, req, msg) {
		return
	}
	c.deliver(w, req, &protobufs.ServerToAgent{CustomMessage: msg}, nil)
}

// send delivers an arbitrary ServerToAgent given as protojson.
func (c *controlAPI) send(w http.ResponseWriter, req *http.Request) {
	msg := &protobufs.ServerToAgent{}
	if !readProto(w, req, msg) {
		return
	}
	c.deliver(w, req, msg, nil)
}

// disconnect drops the agent's WebSocket (opamp-go's Connection.Disconnect).
func (c *controlAPI) disconnect(w http.ResponseWriter, req *http.Request) {
	if err := c.reg.disconnect(req.PathValue("id")); err != nil {
		status := http.StatusConflict
		if errors.Is(err, errUnknownAgent) {
			status = http.StatusNotFound
		}
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"disconnected": req.PathValue("id")})
}

func (c *controlAPI) deliver(w http.ResponseWriter, req *http.Request, msg *protobufs.ServerToAgent, extra map[string]any) {
	how, err := c.reg.deliver(req.PathValue("id"), msg)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, errUnknownAgent) {
			status = http.StatusNotFound
		}
		writeError(w, status, err)
		return
	}
	out := map[string]any{"delivery": how, "message": jsonl.Proto(msg)}
	for k, v := range extra {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// readProto parses the request body as protojson into m; an empty body leaves
// m empty. It writes a 400 and returns false on bad input.
func readProto(w http.ResponseWriter, req *http.Request, m proto.Message) bool {
	data, err := io.ReadAll(io.LimitReader(req.Body, 16<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return false
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return true
	}
	if err := protojson.Unmarshal(data, m); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("body is not protojson %s: %w", m.ProtoReflect().Descriptor().Name(), err))
		return false
	}
	return true
}

// hashConfigMap is sha256 over the sorted file names, content types and bodies.
func hashConfigMap(m *protobufs.AgentConfigMap) []byte {
	h := sha256.New()
	names := make([]string, 0, len(m.GetConfigMap()))
	for name := range m.GetConfigMap() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := m.GetConfigMap()[name]
		fmt.Fprintf(h, "%d:%s%d:%s%d:", len(name), name, len(f.GetContentType()), f.GetContentType(), len(f.GetBody()))
		h.Write(f.GetBody())
	}
	return h.Sum(nil)
}

func hashProto(m proto.Message) []byte {
	data, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	sum := sha256.Sum256(data)
	return sum[:]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
