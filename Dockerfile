# The perfpay service image: the API (npm start) or a settlement worker (npm run worker).
# Built once: the build stage compiles src/ and jobs/ to dist/ (npm ci runs the build); the image
# ships dist/, the launchers and the migrations with production dependencies only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY src ./src
COPY jobs ./jobs
COPY migrations ./migrations
COPY tsconfig.json ./
RUN npm ci --no-audit --no-fund && npm run build

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
