#!/usr/bin/env bash
# Provides etcd, kube-apiserver and kube-controller-manager for the integration tests and prints the directory
# that holds them (the only line on stdout; progress goes to stderr).
#   1. KUBEBUILDER_ASSETS, when set: the Go ecosystem's convention (setup-envtest fills such a directory).
#   2. Otherwise the per-machine cache, built once from the Go module proxy by the wrapper modules in go/.
# `npm test` runs this as `pretest`, so a cold build (10-15 min on 2 cores) never runs inside a test timeout.
#   bash test/controlplane/build.sh            # build if missing, print the directory
#   bash test/controlplane/build.sh --rebuild  # build again even if the cache is complete
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binaries=(etcd kube-apiserver kube-controller-manager)

log() { echo "controlplane: $*" >&2; }

complete_in() {
  local dir=$1 name
  for name in "${binaries[@]}"; do [ -x "$dir/$name" ] || return 1; done
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if ! complete_in "$KUBEBUILDER_ASSETS"; then
    log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS must contain executable ${binaries[*]}; unset it to build them instead"
    exit 1
  fi
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

# The versions come from the wrapper modules themselves, so bumping a go.mod also moves the cache directory
# and a stale binary is never reused.
# Both go.mod forms: `require m v1.2.3` and a line `m v1.2.3` inside a require block.
module_version() {
  awk -v m="$2" '{ sub(/^require[ \t]+/, "") } $1 == m && $2 ~ /^v/ { print $2; exit }' "$1"
}
k8s_version=$(module_version "$here/go/kubernetes/go.mod" k8s.io/kubernetes)
etcd_version=$(module_version "$here/go/etcd/go.mod" go.etcd.io/etcd/server/v3)
if [ -z "$k8s_version" ] || [ -z "$etcd_version" ]; then
  log "cannot read the pinned versions from $here/go/*/go.mod"
  exit 1
fi
cache_root="${SCANSCHEDULE_CACHE_DIR:-$HOME/.cache/scanschedule}/controlplane"
target="$cache_root/k8s-$k8s_version-etcd-$etcd_version"

if [ "${1:-}" != "--rebuild" ] && complete_in "$target"; then
  echo "$target"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no binaries in $target and no Go toolchain to build them."
  log "Either install Go >= 1.26 (the module proxy must be reachable; the first build takes 10-15 min),"
  log "or set KUBEBUILDER_ASSETS to a directory with ${binaries[*]} (e.g. from setup-envtest)."
  exit 1
fi

mkdir -p "$cache_root"
# Leftovers of builds that were killed outright (SIGKILL skips the trap below).
find "$cache_root" -maxdepth 1 -name '.building-*' -mmin +180 -exec rm -rf {} + 2>/dev/null || true
# Build into a sibling temp directory and rename it into place: an interrupted build leaves no half set behind,
# and the rename is atomic because both paths are on the same file system.
staging=$(mktemp -d "$cache_root/.building-XXXXXX")
chmod 755 "$staging"
trap 'rm -rf "$staging"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -ldflags '-s -w' drops the symbol tables (about a third of the size). No -trimpath: it changes the cache key
# of every compiled package, so it would miss a Go build cache warmed by a plain `go build` of the same modules.
# A module build has no git tree to stamp the version from, so kube-apiserver would report v0.0.0-master in
# /version (kubectl version, client skew warnings); stamping it here only changes the link step.
minor=${k8s_version#v1.}; minor=${minor%%.*}
k8s_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
done
started=$SECONDS
log "building kube-apiserver and kube-controller-manager $k8s_version (cold: 10-15 min on 2 cores, warm: under a minute)"
(cd "$here/go/kubernetes" && go build -ldflags="$k8s_ldflags" -o "$staging/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)
log "building etcd $etcd_version"
# The module root of go.etcd.io/etcd/server/v3 is package main (server/main.go); -o names the binary.
(cd "$here/go/etcd" && go build -ldflags='-s -w' -o "$staging/etcd" go.etcd.io/etcd/server/v3)
complete_in "$staging" || { log "the build did not produce ${binaries[*]}"; exit 1; }
"$staging/etcd" --version | head -1 >&2
"$staging/kube-apiserver" --version >&2

if [ -d "$target" ] && [ "${1:-}" = "--rebuild" ]; then
  old=$(mktemp -d "$cache_root/.old-XXXXXX")
  mv -T "$target" "$old/set"
  mv -T "$staging" "$target"
  rm -rf "$old"
elif ! mv -T "$staging" "$target" 2>/dev/null; then
  # A concurrent build renamed its set into place first (mv -T refuses a non-empty target); use that one.
  complete_in "$target" || { log "$target exists but is incomplete; remove it and run again"; exit 1; }
  log "another build finished first; using it"
fi
log "built in $((SECONDS - started)) s into $target"
echo "$target"
