// Command goagent is an OpAMP agent built on opamp-go's public client package.
// It reports a description, health and effective config, applies remote
// configs (FAILED when a body contains the fail marker), declares a custom
// capability and echoes custom messages on it, and logs everything it receives
// as JSON lines. SIGTERM stops the client cleanly (agent_disconnect on
// WebSocket) and exits 0.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/opamp-ts/interop/internal/jsonl"
)

// kvFlags collects repeated key=value flags.
type kvFlags map[string]string

func (k kvFlags) String() string { return fmt.Sprint(map[string]string(k)) }

func (k kvFlags) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	k[key] = value
	return nil
}

func main() {
	opts := options{identifying: kvFlags{}, nonIdentifying: kvFlags{}}
	flag.StringVar(&opts.url, "url", "ws://127.0.0.1:4320/v1/opamp", "OpAMP server URL; ws(s):// = WebSocket, http(s):// = plain HTTP")
	flag.Var(opts.identifying, "attr", "identifying attribute key=value (repeatable)")
	flag.Var(opts.nonIdentifying, "nattr", "non-identifying attribute key=value (repeatable)")
	flag.StringVar(&opts.instanceUID, "instance-uid", "", "instance_uid as 32 hex digits or UUID form (default: new UUID v7)")
	flag.StringVar(&opts.failMarker, "fail-marker", "FAIL_ME", "a remote config body containing this string is reported FAILED")
	flag.StringVar(&opts.customCapability, "custom-capability", "io.opamp-ts.interop.echo", "custom capability to declare and echo messages on")
	flag.StringVar(&opts.initialConfig, "initial-config", "receivers: {}\n", "effective config body before any remote config")
	flag.DurationVar(&opts.heartbeat, "heartbeat", 30*time.Second, "heartbeat / HTTP polling interval")
	flag.BoolVar(&opts.compression, "compression", false, "gzip HTTP request bodies / negotiate permessage-deflate on WebSocket")
	flag.BoolVar(&opts.ownTelemetry, "own-telemetry", false, "declare ReportsOwnMetrics, ReportsOwnTraces and ReportsOwnLogs")
	flag.BoolVar(&opts.requestUID, "request-instance-uid", false, "set RequestInstanceUid so the server assigns the instance_uid")
	flag.BoolVar(&opts.verbose, "v", false, "log opamp-go debug messages to stderr")
	logPath := flag.String("log", "-", "where to write JSON event lines (- = stdout)")
	stdinWatch := flag.Bool("exit-on-stdin-eof", false, "stop as on SIGTERM when standard input closes (the parent died)")
	flag.Parse()

	log, closer, err := jsonl.Open(*logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer closer.Close()

	a, err := newAgent(opts, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goagent:", err)
		os.Exit(2)
	}
	if err := a.start(); err != nil {
		fmt.Fprintln(os.Stderr, "goagent:", err)
		os.Exit(1)
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if *stdinWatch {
		jsonl.StopOnStdinEOF(func() { stop <- syscall.SIGTERM })
	}
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.stop(ctx); err != nil {
		log.Emit("stop-error", map[string]any{"error": err.Error()})
		os.Exit(1)
	}
	log.Emit("stopped", nil)
}
