import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Cross-service tests in test/; fast unit tests of pure domain logic beside the code they test.
    include: ["test/**/*.test.ts", "subgraphs/*/src/**/*.test.ts", "gateway/src/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Each file starts real servers on real databases; two at a time fits a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
