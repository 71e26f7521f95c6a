# The perfpay service image: the API (npm start) or a settlement worker (npm run worker).
# Built once: in the build stage `npm ci` runs `prepare`, which compiles src/ and jobs/ to dist/
# (scripts/build.mjs, esbuild); the image ships dist/, the launchers and the migrations with
# production dependencies only: no esbuild, no tsx, no sources (bin/launch.mjs never rebuilds there).
# dist/ stays the root's: the unprivileged user cannot write V8's code cache beside the bundles
# (bin/code-cache.mjs). The command line's is made by the build (it runs the worked example once);
# the service and the worker compile at each start, as without one.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
COPY examples ./examples
COPY tsconfig.json ./
RUN npm ci --no-audit --no-fund && test -f dist/.built && test -f dist/server.mjs && test -f dist/server.cjs

FROM node:20-bookworm-slim
WORKDIR /app
# HOST: reachable from outside the container; without DATABASE_URL the embedded database lives in
# PERFPAY_DATA_DIR, a folder the unprivileged user may write (mount a volume there to keep it)
ENV NODE_ENV=production HOST=0.0.0.0 PERFPAY_DATA_DIR=/app/data
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build, and the build tools are dev dependencies
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
  && mkdir -p /app/data && chown node:node /app/data
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
USER node
VOLUME /app/data
EXPOSE 3000
CMD ["node", "bin/start.mjs"]
