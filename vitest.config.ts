import { defineConfig } from "vitest/config";

// One vitest run over every package; each project keeps its own config (test/setup, timeouts).
export default defineConfig({
  test: {
    projects: ["packages/db", "apps/gateway", "apps/web", "scripts"],
  },
});
