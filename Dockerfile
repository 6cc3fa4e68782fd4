# One image for all six services; docker-compose.yml picks the entry point of each.
FROM node:24-bookworm-slim
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY . .
# postinstall generates each subgraph's Prisma client (no engine download: WebAssembly engines).
RUN pnpm install --frozen-lockfile
ENV NODE_ENV=production HOST=0.0.0.0
USER node
