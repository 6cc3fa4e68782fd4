# One image for all six services; each container picks its entry by command (docker-compose.yml):
#   node --import tsx gateway/src/main.ts                      the gateway (the default)
#   node --import tsx subgraphs/shared/src/main.ts <subgraph>  production, quality, equipment, shifts, inventory
# Stages: build (every dependency; generates the Prisma clients), deps (production dependencies
# only: no test, benchmark, lint or type-check packages), runtime (deps + sources + Prisma clients).
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
RUN npm install -g pnpm@10.34.9 && npm cache clean --force
WORKDIR /app

FROM base AS build
COPY . .
# postinstall generates each subgraph's Prisma client (no engine download: WebAssembly engines).
RUN pnpm install --frozen-lockfile \
  && mkdir -p /out \
  && for d in subgraphs/*/src/generated; do mkdir -p "/out/$d" && cp -R "$d/." "/out/$d/"; done

FROM base AS deps
COPY pnpm-workspace.yaml pnpm-lock.yaml package.json ./
COPY patches ./patches
COPY gateway/package.json ./gateway/
COPY prisma/package.json ./prisma/
COPY subgraphs ./subgraphs
# Only the runtime packages' manifests: test/ and scripts/ are not in this workspace, so neither
# are their dependencies; --prod leaves out every devDependency, among them @mes/db's embedded
# PostgreSQL (binaries for `pnpm start` and the tests; a plant runs its own server). Install scripts
# are not needed (the Prisma clients come from the build stage).
RUN find subgraphs -mindepth 2 -not -path 'subgraphs/*/package.json' -delete \
  && pnpm install --prod --frozen-lockfile --ignore-scripts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app ./
COPY tsconfig.base.json tsconfig.json ./
COPY gateway/src ./gateway/src
COPY gateway/supergraph.graphql ./gateway/
# Schemas and migrations: subgraphs migrate their own database at start (MIGRATE_ON_START).
COPY prisma ./prisma
COPY subgraphs ./subgraphs
COPY --from=build /out/ ./
# tsx compiles the TypeScript sources at start; its cache goes to /tmp, writable by this user.
USER node
EXPOSE 4000 4001 4002 4003 4004 4005
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "gateway/src/main.ts"]
