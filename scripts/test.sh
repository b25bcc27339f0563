#!/usr/bin/env bash
# The README's test command: every test Sluice has, against real PostgreSQL, Redis and Chromium.
#   lint + typecheck, the schema/migration drift check, builds, unit + integration tests (vitest), browser e2e
#   (Playwright in Debian's chromium). Prints one closing line "tests: N passed, N failed, N skipped" and exits
#   non-zero on any failure.
# Needs PostgreSQL (TEST_DATABASE_URL's server, default 127.0.0.1:5432) and Redis (REDIS_URL, default :6379);
# .ci/run installs and starts them on a fresh machine.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false   # never /bin/true: migrate would "succeed" doing nothing
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/sluice_test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
PNPM_VERSION=10.34.9
out=.ci-out
rm -rf "$out"; mkdir -p "$out"

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1; fi
stamp=node_modules/.sluice-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ]; then pnpm install --frozen-lockfile --reporter=silent && touch "$stamp"; fi

passed=0; failed=0; skipped=0
step() { # step <name> <command...>: a check that counts as one test
  local name=$1; shift
  local t0=$SECONDS
  if "$@" >"$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1)); echo "FAIL $name ($((SECONDS - t0)) s): last lines of $out/$name.log:"; tail -n 40 "$out/$name.log" | sed 's/^/     /'
  fi
}

echo "== checks"
step prisma-generate pnpm -s db:generate
step lint pnpm -s lint
step typecheck pnpm -s typecheck
step migrations-drift env DATABASE_URL="$TEST_DATABASE_URL" pnpm -s db:check
step build pnpm -s -r run build

echo "== unit and integration tests (vitest)"
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" 2>&1 | tee "$out/vitest.log" | grep -E "^ *(✓|×|❯|FAIL|Test Files|Tests|Duration)" | grep -vE "^ *✓ .*[0-9]+ms$" || true

echo "== browser e2e (Playwright, Debian chromium)"
(cd e2e && PLAYWRIGHT_JSON_OUTPUT_NAME="$PWD/../$out/e2e.json" pnpm exec playwright test --reporter=list,json) 2>&1 | tee "$out/e2e.log" | grep -vE "^\s*$" | tail -n 60 || true

node -e '
const fs = require("fs");
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
const v = read(process.argv[1] + "/vitest.json"), e = read(process.argv[1] + "/e2e.json");
let [p, f, s] = process.argv.slice(2).map(Number);
if (v) { p += v.numPassedTests; f += v.numFailedTests + (v.numFailedTestSuites || 0) ; s += v.numPendingTests + (v.numTodoTests || 0); }
else { f += 1; console.log("vitest produced no report"); }
if (e) { p += e.stats.expected + e.stats.flaky; f += e.stats.unexpected; s += e.stats.skipped; if (e.errors && e.errors.length) { f += e.errors.length; console.log("e2e errors:", JSON.stringify(e.errors).slice(0, 2000)); } }
else { f += 1; console.log("playwright produced no report"); }
console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
process.exit(f ? 1 : 0);
' "$out" "$passed" "$failed" "$skipped"
