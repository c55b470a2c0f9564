// Command benchserver is the opamp-go side of the benchmarks: an OpAMP server
// built on opamp-go's public server package that does what the benchmark's
// bare-library target does, no more: it keeps the latest state of every agent,
// answers every message, offers the current remote config to agents that have
// not applied it, and pushes a new config to every connected WebSocket agent on
// request. A loopback JSON control API reports counts and takes pushes. The
// first stdout line is {"event":"listening","opampUrl":...,"controlUrl":...}.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/open-telemetry/opamp-go/protobufs"
	"github.com/open-telemetry/opamp-go/server"
	"github.com/open-telemetry/opamp-go/server/types"
)

const capabilities = uint64(protobufs.ServerCapabilities_ServerCapabilities_AcceptsStatus |
	protobufs.ServerCapabilities_ServerCapabilities_OffersRemoteConfig |
	protobufs.ServerCapabilities_ServerCapabilities_AcceptsEffectiveConfig)

// agentState is what the server remembers per instance uid, like the
// library's AgentTracker: the latest of each reported part.
type agentState struct {
	conn         types.Connection
	capabilities uint64
	description  *protobufs.AgentDescription
	health       *protobufs.ComponentHealth
	effective    *protobufs.EffectiveConfig
	remoteStatus *protobufs.RemoteConfigStatus
	lastSeen     time.Time
}

type state struct {
	mu       sync.Mutex
	agents   map[string]*agentState
	conns    map[types.Connection]string
	config   *protobufs.AgentRemoteConfig
	messages atomic.Int64
}

func (s *state) onMessage(conn types.Connection, msg *protobufs.AgentToServer, ws bool) *protobufs.ServerToAgent {
	s.messages.Add(1)
	uid := string(msg.GetInstanceUid())
	s.mu.Lock()
	a, ok := s.agents[uid]
	if !ok {
		a = &agentState{}
		s.agents[uid] = a
	}
	if ws {
		a.conn = conn
		s.conns[conn] = uid
	}
	a.capabilities = msg.GetCapabilities()
	if msg.AgentDescription != nil {
		a.description = msg.AgentDescription
	}
	if msg.Health != nil {
		a.health = msg.Health
	}
	if msg.EffectiveConfig != nil {
		a.effective = msg.EffectiveConfig
	}
	if msg.RemoteConfigStatus != nil {
		a.remoteStatus = msg.RemoteConfigStatus
	}
	a.lastSeen = time.Now()
	cfg := s.config
	applied := a.remoteStatus.GetLastRemoteConfigHash()
	s.mu.Unlock()
	reply := &protobufs.ServerToAgent{InstanceUid: msg.GetInstanceUid(), Capabilities: capabilities}
	if cfg != nil && string(applied) != string(cfg.ConfigHash) &&
		msg.GetCapabilities()&uint64(protobufs.AgentCapabilities_AgentCapabilities_AcceptsRemoteConfig) != 0 {
		reply.RemoteConfig = cfg
	}
	return reply
}

func (s *state) onClose(conn types.Connection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if uid, ok := s.conns[conn]; ok {
		delete(s.conns, conn)
		if a := s.agents[uid]; a != nil && a.conn == conn {
			a.conn = nil
		}
	}
}

// push installs a new config and sends it to every connected WebSocket agent.
func (s *state) push(files map[string]string) (string, int, int) {
	cm := &protobufs.AgentConfigMap{ConfigMap: map[string]*protobufs.AgentConfigFile{}}
	names := make([]string, 0, len(files))
	for name, body := range files {
		cm.ConfigMap[name] = &protobufs.AgentConfigFile{Body: []byte(body), ContentType: "text/yaml"}
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%d:%s\n", len(name), name)
		h.Write(cm.ConfigMap[name].Body)
	}
	cfg := &protobufs.AgentRemoteConfig{Config: cm, ConfigHash: h.Sum(nil)}
	s.mu.Lock()
	s.config = cfg
	targets := make(map[types.Connection]string, len(s.conns))
	for c, uid := range s.conns {
		targets[c] = uid
	}
	s.mu.Unlock()
	sent, failed := 0, 0
	for c, uid := range targets {
		err := c.Send(context.Background(), &protobufs.ServerToAgent{
			InstanceUid: []byte(uid), Capabilities: capabilities, RemoteConfig: cfg,
		})
		if err != nil {
			failed++
		} else {
			sent++
		}
	}
	return hex.EncodeToString(cfg.ConfigHash), sent, failed
}

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "OpAMP port (0 = pick a free one)")
	flag.Parse()

	s := &state{agents: map[string]*agentState{}, conns: map[types.Connection]string{}}
	srv := server.New(nil)
	callbacks := func(ws bool) types.ConnectionCallbacks {
		return types.ConnectionCallbacks{
			OnMessage: func(_ context.Context, conn types.Connection, msg *protobufs.AgentToServer) *protobufs.ServerToAgent {
				return s.onMessage(conn, msg, ws)
			},
			OnConnectionClose: func(conn types.Connection) {
				if ws {
					s.onClose(conn)
				}
			},
		}
	}
	err := srv.Start(server.StartSettings{
		Settings: server.Settings{Callbacks: types.Callbacks{
			OnConnecting: func(req *http.Request) types.ConnectionResponse {
				ws := req.Header.Get("Upgrade") != ""
				return types.ConnectionResponse{Accept: true, ConnectionCallbacks: callbacks(ws)}
			},
		}},
		ListenEndpoint: net.JoinHostPort(*host, fmt.Sprint(*port)),
		ListenPath:     "/v1/opamp",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchserver:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		out := map[string]any{"connections": len(s.conns), "agents": len(s.agents), "messages": s.messages.Load()}
		s.mu.Unlock()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		out["memory"] = map[string]any{"heapUsed": ms.HeapAlloc, "heapTotal": ms.HeapSys, "sys": ms.Sys, "stacks": ms.StackSys}
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("POST /push", func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			Files map[string]string `json:"files"`
		}
		data, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		hash, sent, failed := s.push(body.Files)
		_ = json.NewEncoder(w).Encode(map[string]any{"hash": hash, "sent": sent, "failed": failed})
	})
	go func() { _ = http.Serve(ln, mux) }()
	addr := srv.Addr().String()
	line, _ := json.Marshal(map[string]any{
		"event":        "listening",
		"opampUrl":     "ws://" + addr + "/v1/opamp",
		"opampHttpUrl": "http://" + addr + "/v1/opamp",
		"controlUrl":   "http://" + ln.Addr().String(),
	})
	fmt.Println(string(line))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Stop(ctx)
}
