#!/usr/bin/env bash
# Browser packaging checks (issue 11), run as a user would meet the package: from its packed
# tarball.
#   1. npm run build, npm pack, the tarball extracted into test/bundlers/node_modules/wasm-rnn and
#      test/types/node_modules/wasm-rnn (each folder has its own package.json scope, so `wasm-rnn`
#      resolves there and not to this checkout by self-reference)
#   2. scripts/size-budget.mjs: every .wasm (raw, gzip) and every JS entry within budget
#   3. test/types/check.mjs: tsc on the consumer projects node16 / bundler / tsc-init
#      (skipLibCheck false), and runtime exports = value exports of the types
#   4. test/bundlers/special-path.mjs: require() and import of the package installed under a
#      path with '#', '%' and a space
#   5. test/bundlers/run.mjs: esbuild, Vite, webpack 5, Rollup builds in headless Chromium,
#      results equal to Node's bit for bit
#   6. examples/cloudflare-worker/test/run.mjs: the edge example in workerd on loopback
#   7. examples/web/test/run.mjs: the live-training demo page clicked through in headless Chromium
#      (loss goes down, frames keep coming while the worker trains); rewrites docs/demo.png
# Needs: npm ci done (bundlers are devDependencies), Debian's chromium (installed if missing).
# Idempotent; fails loudly. About 1–2 minutes on 2 cores. Closing line: "browser: N passed, M failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS

if [[ ! -x /usr/bin/chromium ]]; then
  echo "+ apt-get install chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[[ -d node_modules/webpack && -d node_modules/vite && -d node_modules/@web/rollup-plugin-import-meta-assets ]] \
  || { echo "browser: node_modules lacks the bundlers: run npm ci first" >&2; exit 1; }

echo "== npm run build =="
flock /tmp/dist.lock npm run build --silent >/dev/null
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
flock -s /tmp/dist.lock npm pack --silent --pack-destination "$tmp" >/dev/null
tarball="$(ls "$tmp"/wasm-rnn-*.tgz)"
for dir in test/bundlers test/types; do
  rm -rf "$dir/node_modules/wasm-rnn"
  mkdir -p "$dir/node_modules/wasm-rnn"
  tar -xzf "$tarball" -C "$dir/node_modules/wasm-rnn" --strip-components=1
done
echo "packed $(basename "$tarball"): $(wc -c < "$tarball") bytes"

status=0
passed=0 failed=0
tally() { # tally LOG: add the log's "…: N passed, M failed" closing line
  local line
  line="$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)"
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
}
for step in "node scripts/size-budget.mjs" "node test/types/check.mjs" "node test/bundlers/special-path.mjs" "node test/bundlers/run.mjs" \
  "node examples/cloudflare-worker/test/run.mjs" \
  "node examples/web/test/run.mjs"; do
  echo
  echo "== $step =="
  $step 2>&1 | tee "$tmp/log" || status=1
  tally "$tmp/log"
done
echo
echo "browser checks took $((SECONDS - start)) s"
echo "browser: $passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 ]]
