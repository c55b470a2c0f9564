#!/usr/bin/env bash
# Builds the interop Collector (manifest.yaml) and the Go supervisor into
# interop/.bin/, unless binaries built from the same inputs are already there.
# Prints the paths of the binaries, one "name=path" per line, on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$here/.." && pwd)/.bin"
ocb_version=v0.149.0
supervisor_version=v0.149.0
mkdir -p "$bin"

key="$( (cat "$here/manifest.yaml"; echo "$ocb_version $supervisor_version"; go version) | sha256sum | cut -c1-16)"
collector="$bin/otelcol-opamp-$key"
supervisor="$bin/opampsupervisor-$key"

if [ ! -x "$collector" ] || [ ! -x "$supervisor" ]; then
  started=$SECONDS
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "building the Collector and the Go supervisor (first build takes a few minutes)..." >&2
  GOBIN="$work/tools" go install "go.opentelemetry.io/collector/cmd/builder@$ocb_version" >&2
  cp "$here/manifest.yaml" "$work/manifest.yaml"
  # The builder's own `go mod tidy` also resolves the components' test-only
  # dependencies, some of which the module proxy does not serve; generating the
  # sources and building them directly needs only what the binary links.
  (cd "$work" && "$work/tools/builder" --config manifest.yaml --skip-get-modules --skip-compilation >&2)
  (cd "$work/out" && GOFLAGS=-mod=mod go build -trimpath -o "$collector.tmp" . >&2)
  mv "$collector.tmp" "$collector"
  # The supervisor's go.mod carries replace directives, so `go install pkg@version`
  # refuses it; building its main package from a small module that requires it
  # resolves the same versions through the module proxy.
  mkdir -p "$work/supervisor"
  printf 'module opampts/supervisor-build\n\ngo 1.25\n' >"$work/supervisor/go.mod"
  (cd "$work/supervisor" &&
    GOFLAGS=-mod=mod go get "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/opampsupervisor@$supervisor_version" >&2 &&
    GOFLAGS=-mod=mod go build -trimpath -o "$supervisor.tmp" github.com/open-telemetry/opentelemetry-collector-contrib/cmd/opampsupervisor >&2)
  mv "$supervisor.tmp" "$supervisor"
  echo "built in $((SECONDS - started)) s" >&2
fi
echo "collector=$collector"
echo "supervisor=$supervisor"
