#!/usr/bin/env bash
# The README's start command. Installs what is missing (pnpm from npm, the workspace's packages), then runs
# scripts/start.ts, which starts PostgreSQL (embedded unless DATABASE_URL), the gateway and the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if ! command -v node >/dev/null; then echo "[sluice] error: Node.js >= 20.19 is required" >&2; exit 1; fi
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "[sluice] installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || { echo "[sluice] error: could not install pnpm with npm" >&2; exit 1; }
fi
stamp=node_modules/.sluice-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ]; then
  echo "[sluice] installing dependencies"
  pnpm install --frozen-lockfile --reporter=silent
  touch "$stamp"
fi
exec node --import tsx scripts/start.ts "$@"
