// Jest runs TypeScript sources directly (SWC, CommonJS output) so tests never
// depend on a prior build; `pnpm typecheck` type-checks the same files.
// Projects: `unit` (tests beside the code, no servers) and `integration`
// (test/, against real Kafka and a MongoDB-wire server started by the harness);
// `bench` (test/bench/*.bench.ts: measurements against the real servers, never run by
// scripts/test.sh).

/** @type {import('jest').Config['transform']} */
const transform = {
  "^.+\\.ts$": [
    "@swc/jest",
    {
      jsc: { parser: { syntax: "typescript" }, target: "es2023" },
      module: { type: "commonjs" },
      sourceMaps: "inline",
    },
  ],
};

const moduleNameMapper = {
  "^@ctwatch/([a-z0-9-]+)$": "<rootDir>/packages/$1/src/index.ts",
  "^(\\.{1,2}/.*)\\.js$": "$1",
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      displayName: "unit",
      rootDir: ".",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      testMatch: ["<rootDir>/packages/*/src/**/*.test.ts", "<rootDir>/services/*/src/**/*.test.ts"],
    },
    {
      displayName: "integration",
      rootDir: ".",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/harness/setup-timeout.ts"],
      slowTestThreshold: 30,
    },
    {
      // Benchmarks that need the real servers; never selected by scripts/test.sh.
      displayName: "bench",
      rootDir: ".",
      testEnvironment: "node",
      transform,
      moduleNameMapper,
      testMatch: ["<rootDir>/test/bench/**/*.bench.ts"],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/harness/setup-timeout.ts"],
    },
  ],
};
