#!/usr/bin/env bash
# Builds the two Go tools the local stack and the tests run, into .tools/bin (git-ignored):
#   temporal  the Temporal CLI, whose `server start-dev` is the Temporal dev server (server 1.29.1, UI 2.42.1)
#   mailpit   an SMTP server with a web inbox and a REST API
# Each is skipped when the right version is already there. Both come from the Go module proxy,
# reusing Go's module and build caches, so nothing is downloaded at run time.
# CLI 1.5.1 is the newest release `go install` can build: later ones carry `replace` directives.
# Mailpit's web inbox is a JavaScript app that its releases compile and embed; the Go module holds
# only its sources, so a plain `go install` gives a Mailpit whose inbox page is blank. We build it
# as its release does: the module's sources, `npm ci` + `npm run package`, then `go build`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${TOOLS_DIR:-$root/.tools/bin}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac

temporal_version=1.5.1
mailpit_version=v1.27.11
min_go=1.25

say() { printf '[setup] %s\n' "$*"; }

temporal_ok() {
  [ -x "$bin/temporal" ] && "$bin/temporal" --version 2>/dev/null | grep -q "^temporal version $temporal_version "
}

mailpit_ok() {
  [ -x "$bin/mailpit" ] || return 1
  # `mailpit version` would ask GitHub for the latest release; the binary's build info says it
  # offline. Only this script's build (inbox included) stamps the version into the binary.
  if command -v go >/dev/null 2>&1; then
    go version -m "$bin/mailpit" 2>/dev/null | grep -qF -- "-X github.com/axllent/mailpit/config.Version=$mailpit_version"
  else
    return 0 # cannot check without Go; a binary built by this script is the only way it got there
  fi
}

if temporal_ok && mailpit_ok; then
  say "temporal $temporal_version and mailpit $mailpit_version already in $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
[setup] Go is not installed (or not on PATH), and it is needed once to build the Temporal CLI
[setup] ($temporal_version) and Mailpit ($mailpit_version) into $bin.
[setup] Install Go $min_go or newer (https://go.dev/doc/install, or your package manager), then run
[setup] \`npm run setup\` again.
MSG
  exit 1
fi

go_version=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n%s\n' "$min_go" "$go_version" | sort -V | head -n 1)" != "$min_go" ]; then
  say "Go $go_version is too old: these tools need Go $min_go or newer" >&2
  exit 1
fi

mkdir -p "$bin"
built() { # name, started-at
  local name=$1 took
  took=$(( $(date +%s) - $2 ))
  say "built $name in ${took}s -> $bin/$name"
}

export GOBIN="$bin"
# GOFLAGS from the environment could add -mod=vendor or the like; these installs need none.
export GOFLAGS=-buildvcs=false

if ! temporal_ok; then
  say "building temporal $temporal_version with $(go version | cut -d' ' -f3) (a few minutes from cold caches)..."
  start=$(date +%s)
  go install -ldflags "-X github.com/temporalio/cli/temporalcli.Version=$temporal_version" \
    "github.com/temporalio/cli/cmd/temporal@v$temporal_version"
  temporal_ok || { say "built temporal but \`temporal --version\` does not report $temporal_version" >&2; exit 1; }
  built temporal "$start"
fi

if ! mailpit_ok; then
  say "building mailpit $mailpit_version with its web inbox..."
  start=$(date +%s)
  src=$(go mod download -json "github.com/axllent/mailpit@$mailpit_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { say "could not download the mailpit $mailpit_version module" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -R "$src/." "$work/"
  chmod -R u+w "$work" # the module cache is read-only
  (
    cd "$work"
    npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null
    npm run -s package >/dev/null
    GOFLAGS="-buildvcs=false -mod=mod" go build \
      -ldflags "-X github.com/axllent/mailpit/config.Version=$mailpit_version" -o "$bin/mailpit" .
  )
  mailpit_ok || { say "built mailpit but its build info does not say $mailpit_version" >&2; exit 1; }
  built mailpit "$start"
fi
