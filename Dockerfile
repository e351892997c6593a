# Documentation for operators: this repository's CI machines run no Docker engine, so this file is
# not built in CI. It follows docs/OPERATIONS.md: an external PostgreSQL (DATABASE_URL), keys from
# the environment, HOST=0.0.0.0, behind a TLS-terminating proxy (TRUST_PROXY).

# --- build: server (tsc) and web UI (vite) need the dev dependencies -----------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json drizzle.config.ts ./
COPY scripts ./scripts
COPY src ./src
COPY web ./web
RUN npm run build

# --- runtime: production dependencies and the built output only ---------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# the CLI (npm run cli -- ...) runs the TypeScript sources through tsx
COPY --from=build /app/src ./src
COPY tsconfig.json ./
# node:20 images ship the unprivileged user "node"; the app writes nothing outside /app/data
RUN mkdir -p /app/data && chown node:node /app/data
ENV DATA_DIR=/app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
