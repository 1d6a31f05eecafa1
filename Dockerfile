# syntax=docker/dockerfile:1
# Multi-stage build: the build stage installs every dependency (the native SQLite driver is compiled with
# the toolchain there), compiles the TypeScript to dist/ and bundles it into dist/bundle/ (what bin/cyberbrief
# runs), then drops the dev dependencies (TypeScript, esbuild, tsx, vitest); the runtime image holds only what
# runs: dist/, bin/, config/ and production node_modules.

FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The sources are not here yet, so npm ci must not run `prepare` (the build) now: install without
# lifecycle scripts, then run the one install script the runtime needs (better-sqlite3's native addon).
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && node bin/cyberbrief --help > /dev/null

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=/app/data/cyberbrief.db
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/bin ./bin
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/config ./config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/cyberbrief"]
CMD ["run"]
