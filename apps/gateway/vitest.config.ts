import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "gateway",
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    environment: "node",
    testTimeout: 15_000,
    // integration tests (*.int.test.ts) create a database and start servers
    hookTimeout: 60_000,
  },
});
