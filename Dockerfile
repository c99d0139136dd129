# The worker and HTTP edge image: compiled TypeScript on Node 20. The worker bundles the workflow
# code at start; the edge runs from the same image (`node dist/edge/main.js`).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY billing ./billing
COPY config ./config
COPY logging ./logging
COPY mail ./mail
COPY contract ./contract
COPY links ./links
COPY emails ./emails
COPY format ./format
COPY web ./web
COPY edge ./edge
COPY services ./services
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY db ./db
COPY client ./client
COPY cli ./cli
COPY bench ./bench
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
# 9464: the worker's Prometheus metrics (WORKER_METRICS_PORT); 3000: the edge (HTTP_PORT).
EXPOSE 9464 3000
# SIGTERM (docker stop) lets the worker finish in-flight tasks; keep stop_grace_period above
# WORKER_SHUTDOWN_GRACE_MS.
CMD ["node", "dist/workers/main.js"]
