#!/usr/bin/env bash
# Provides helm and promtool for the chart and alert-rule tests and prints the directory that holds them (the
# only line on stdout; progress goes to stderr). Built once per machine from the Go module proxy with
# `go install tool@version`, like test/controlplane/build.sh builds the control plane; the versions are pinned
# here, and they name the cache directory, so bumping one never reuses a stale binary.
#   bash test/helm/build-tools.sh            # build what is missing, print the directory
#   bash test/helm/build-tools.sh --rebuild  # build again even if the cache is complete
set -euo pipefail

HELM_VERSION=v3.22.0
# Prometheus 3.x is published to the module proxy as v0.3xx.y (v3.16.0 is v0.316.0).
PROMETHEUS_MODULE_VERSION=v0.316.0

log() { echo "tools: $*" >&2; }

cache_root="${SCANSCHEDULE_CACHE_DIR:-$HOME/.cache/scanschedule}/tools"
target="$cache_root/helm-$HELM_VERSION-promtool-$PROMETHEUS_MODULE_VERSION-remove_all_sd"
complete_in() { [ -x "$1/helm" ] && [ -x "$1/promtool" ]; }

if [ "${1:-}" != "--rebuild" ] && complete_in "$target"; then
  echo "$target"
  exit 0
fi
# One build at a time per machine (test files run in parallel); whoever waited finds the tools built.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [ "${1:-}" != "--rebuild" ] && complete_in "$target"; then
  echo "$target"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  log "no helm/promtool in $target and no Go toolchain to build them; install Go >= 1.26 (module proxy reachable)."
  exit 1
fi

mkdir -p "$cache_root"
find "$cache_root" -maxdepth 1 -name '.building-*' -mmin +180 -exec rm -rf {} + 2>/dev/null || true
staging=$(mktemp -d "$cache_root/.building-XXXXXX")
chmod 755 "$staging"
trap 'rm -rf "$staging"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
# GOFLAGS=-mod=mod: `go install m@v` resolves m's own go.mod; the replace directives of a main module do not
# apply, so a tool whose go.mod needs replaces would fail here rather than build something different.
log "building helm $HELM_VERSION (cold: several minutes on 2 cores, warm: seconds)"
GOBIN="$staging" go install -ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
log "helm: $((SECONDS - started)) s"
log "building promtool (prometheus $PROMETHEUS_MODULE_VERSION)"
# remove_all_sd: Prometheus's build tag that leaves out the service discovery plugins (the cloud SDKs of AWS,
# Azure, GCE, …), which `promtool check rules` and `promtool test rules` never use; it cuts the cold build from
# over 25 minutes to a few on 2 cores.
GOBIN="$staging" go install -tags=remove_all_sd -ldflags="-s -w" \
  "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION"
complete_in "$staging" || { log "the build did not produce helm and promtool"; exit 1; }
"$staging/helm" version --short >&2
"$staging/promtool" --version 2>&1 | head -1 >&2

if [ -d "$target" ]; then
  old=$(mktemp -d "$cache_root/.old-XXXXXX")
  mv -T "$target" "$old/set"
  mv -T "$staging" "$target"
  rm -rf "$old"
elif ! mv -T "$staging" "$target" 2>/dev/null; then
  complete_in "$target" || { log "$target exists but is incomplete; remove it and run again"; exit 1; }
  log "another build finished first; using it"
fi
log "built in $((SECONDS - started)) s into $target"
echo "$target"
