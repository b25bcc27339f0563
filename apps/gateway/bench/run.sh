#!/usr/bin/env bash
# Benchmark Sluice's gateway with ../shared/bench (the harness that also measures the Portkey gateway and a 40-line
# node:http proxy), with key auth, usage events (to PostgreSQL) and metrics on, as in production.
#   bash apps/gateway/bench/run.sh [extra run-bench.mjs flags, e.g. --mode openai,anthropic --scenarios chat]
# Results land in apps/gateway/bench/results/ (git-ignored); copy runs worth keeping to bench/reports/.
# Limits + cache scenario: BENCH_POLICIES=limits,cache (seed.ts adds a request limit, a token limit and a money budget
# sized never to refuse, and an exact cache on the chat route); export REDIS_URL to run the shared Redis limiter and
# cache (else both are in process). Cache misses instead of hits: add "cache-control":"no-cache" to --headers.
#   BENCH_POLICIES=limits,cache REDIS_URL=redis://127.0.0.1:6379 bash apps/gateway/bench/run.sh --mode openai --scenarios chat
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
bench="${BENCH_HARNESS_DIR:-$root/../shared/bench}"
[ -f "$bench/run-bench.mjs" ] || { echo "bench harness not found at $bench (set BENCH_HARNESS_DIR)" >&2; exit 1; }
[ -d "$bench/node_modules/autocannon" ] || (cd "$bench" && npm ci --silent) || {
  # shared/ may be read-only: install the harness's one dependency into a scratch copy
  scratch="${TMPDIR:-/tmp}/sluice-bench-harness"; rm -rf "$scratch"; cp -r "$bench" "$scratch"; (cd "$scratch" && npm ci --silent); bench="$scratch"; }
(cd "$root" && pnpm --filter @sluice/gateway build >/dev/null)
export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/sluice_gw_bench}"
export SLUICE_MASTER_KEY="${SLUICE_MASTER_KEY:-$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')}"
export SLUICE_BENCH_ROOT="$root"
cd "$here"
gateway_cmd='cd "$SLUICE_BENCH_ROOT/apps/gateway" && DATABASE_URL="$BENCH_DATABASE_URL" MOCK_URL="$MOCK_URL" node --import tsx bench/seed.ts && LOG_LEVEL=warn DATABASE_URL="$BENCH_DATABASE_URL" SLUICE_DATA_DIR="${TMPDIR:-/tmp}/sluice-bench-data" GATEWAY_HOST=127.0.0.1 GATEWAY_PORT="$GATEWAY_PORT" exec node dist/server.js'
node "$bench/run-bench.mjs" \
  --gateway-cmd "$gateway_cmd" --gateway-url http://127.0.0.1:18080 --label sluice --ready-path /health \
  --headers '{"authorization":"Bearer sk-sluice-bench0000000000000000000000000"}' \
  --out "$here/results" --mode "${BENCH_MODE:-openai,anthropic}" "$@"
