// Command goserver is an OpAMP server built on opamp-go's public server
// package. It accepts agents over WebSocket and plain HTTP on one loopback
// endpoint, logs every AgentToServer as a JSON line and takes scripted actions
// through a small loopback JSON control API. The first stdout line is
// {"event":"listening",...} with the URLs it chose.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/open-telemetry/opamp-go/protobufs"
	"github.com/open-telemetry/opamp-go/server"
	"github.com/open-telemetry/opamp-go/server/types"

	"github.com/opamp-ts/interop/internal/jsonl"
)

// settings are the command-line flags.
type settings struct {
	host        string
	port        int
	controlPort int
	path        string
	customCaps  []string
	compression bool
	verbose     bool
	stdinWatch  bool
}

func main() {
	var cfg settings
	flag.StringVar(&cfg.host, "host", "127.0.0.1", "loopback address to listen on")
	flag.IntVar(&cfg.port, "port", 0, "OpAMP port (0 = pick a free one)")
	flag.IntVar(&cfg.controlPort, "control-port", 0, "control API port (0 = pick a free one)")
	flag.StringVar(&cfg.path, "path", "/v1/opamp", "OpAMP endpoint path")
	logPath := flag.String("log", "-", "where to write JSON event lines (- = stdout)")
	customCaps := flag.String("custom-capabilities", "", "comma-separated custom capabilities the server declares")
	omitCaps := flag.Bool("omit-capabilities", false, "never set ServerToAgent.capabilities (like opamp-go's default OnMessage)")
	flag.BoolVar(&cfg.compression, "compression", false, "accept permessage-deflate on WebSocket (opamp-go's EnableCompression)")
	flag.BoolVar(&cfg.verbose, "v", false, "log opamp-go debug messages to stderr")
	flag.BoolVar(&cfg.stdinWatch, "exit-on-stdin-eof", false, "stop as on SIGTERM when standard input closes (the parent died)")
	flag.Parse()
	cfg.customCaps = splitList(*customCaps)

	log, closer, err := jsonl.Open(*logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer closer.Close()
	reg := newRegistry(log)
	reg.omitCapabilities = *omitCaps
	if err := run(reg, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "goserver:", err)
		os.Exit(1)
	}
}

func run(reg *registry, cfg settings) error {
	log := reg.log
	srv := server.New(&stderrLogger{verbose: cfg.verbose})
	err := srv.Start(server.StartSettings{
		Settings: server.Settings{
			Callbacks:          types.Callbacks{OnConnecting: onConnecting(reg)},
			CustomCapabilities: cfg.customCaps,
			EnableCompression:  cfg.compression,
		},
		ListenEndpoint: net.JoinHostPort(cfg.host, fmt.Sprint(cfg.port)),
		ListenPath:     cfg.path,
		HTTPMiddleware: logHTTPResponses(log),
	})
	if err != nil {
		return fmt.Errorf("start OpAMP server: %w", err)
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.host, fmt.Sprint(cfg.controlPort)))
	if err != nil {
		return fmt.Errorf("listen for control API: %w", err)
	}
	control := &http.Server{Handler: (&controlAPI{reg: reg}).routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = control.Serve(ln) }()

	addr := srv.Addr().String()
	log.Emit("listening", map[string]any{
		"opampUrl":     "ws://" + addr + cfg.path,
		"opampHttpUrl": "http://" + addr + cfg.path,
		"controlUrl":   "http://" + ln.Addr().String(),
	})

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if cfg.stdinWatch {
		jsonl.StopOnStdinEOF(func() { stop <- syscall.SIGTERM })
	}
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = control.Shutdown(ctx)
	_ = srv.Stop(ctx)
	log.Emit("stopped", nil)
	return nil
}

// onConnecting accepts every agent and gives each connection callbacks that
// know its transport and the encoding headers of the request that opened it.
func onConnecting(reg *registry) func(*http.Request) types.ConnectionResponse {
	return func(req *http.Request) types.ConnectionResponse {
		meta := connMeta{
			transport:       "websocket",
			contentEncoding: req.Header.Get("Content-Encoding"),
			acceptEncoding:  req.Header.Get("Accept-Encoding"),
			extensions:      req.Header.Get("Sec-WebSocket-Extensions"),
			remote:          req.RemoteAddr,
		}
		if req.Header.Get("Content-Type") == "application/x-protobuf" {
			meta.transport = "http"
		}
		return types.ConnectionResponse{
			Accept: true,
			ConnectionCallbacks: types.ConnectionCallbacks{
				OnConnected: func(_ context.Context, _ types.Connection) {
					if meta.transport == "websocket" {
						reg.log.Emit("connected", map[string]any{
							"transport":  meta.transport,
							"remote":     meta.remote,
							"extensions": meta.extensions,
						})
					}
				},
				OnMessage: func(_ context.Context, conn types.Connection, msg *protobufs.AgentToServer) *protobufs.ServerToAgent {
					return reg.onMessage(meta, conn, msg)
				},
				OnConnectionClose: func(conn types.Connection) {
					if meta.transport == "websocket" {
						reg.onClose(conn)
					}
				},
				OnReadMessageError: func(_ types.Connection, mt int, _ []byte, err error) {
					reg.log.Emit("read-error", map[string]any{"messageType": mt, "error": err.Error()})
				},
			},
		}
	}
}

// logHTTPResponses logs the status and Content-Encoding of every plain-HTTP
// OpAMP reply, so tests can see whether opamp-go gzipped it.
func logHTTPResponses(log *jsonl.Writer) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if req.Header.Get("Content-Type") != "application/x-protobuf" {
				next.ServeHTTP(w, req)
				return
			}
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, req)
			log.Emit("http-response", map[string]any{
				"status":          rec.status,
				"contentEncoding": w.Header().Get("Content-Encoding"),
			})
		})
	}
}

// statusRecorder remembers the status code written through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// stderrLogger adapts opamp-go's logger interface; errors always, debug with -v.
type stderrLogger struct{ verbose bool }

func (l *stderrLogger) Debugf(_ context.Context, format string, v ...any) {
	if l.verbose {
		fmt.Fprintf(os.Stderr, "debug: "+format+"\n", v...)
	}
}

func (l *stderrLogger) Errorf(_ context.Context, format string, v ...any) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", v...)
}
