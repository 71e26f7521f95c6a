# The perfpay service image: the API (npm start) or a settlement worker (npm run worker).
# Built once: in the build stage `npm ci` runs `prepare`, which compiles src/ and jobs/ to dist/
# (scripts/build.mjs, esbuild); the image ships dist/, the launchers and the migrations with
# production dependencies only (no sources: bin/launch.mjs never rebuilds there).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
COPY tsconfig.json ./
RUN npm ci --no-audit --no-fund && test -f dist/.built && test -f dist/server.mjs

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
USER node
EXPOSE 3000
CMD ["node", "bin/start.mjs"]
