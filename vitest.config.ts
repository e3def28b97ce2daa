import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

// esbuild emits no decorator metadata, which type-graphql needs: compile with swc instead.
export default defineConfig({
  plugins: [swc.vite({ module: { type: "es6" } })],
  // One graphql module for everyone: Vite would pick graphql's .mjs for our code while Node loads its CommonJS
  // entry for the packages it runs itself (graphql-ws), and graphql refuses a schema "from another realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    include: ["src/**/*.test.ts", "sidecars/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/harness/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The JSON file lets .ci/run print one plain "N passed, N failed" line at the end.
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
  },
});
