# syntax=docker/dockerfile:1
# The controller image: compiled JavaScript on Node 24 (the package's `bin` must be JavaScript), production
# dependencies only, running as a numeric non-root user so restricted Pod Security can verify it.
#   docker build -t ghcr.io/jmo-security/scanschedule:0.1.0 .
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
# Dependencies first: this layer stays cached until package*.json change. --ignore-scripts: `prepare` would
# build before the sources are here.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-alpine AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY crds ./crds
# 65532: the conventional "nonroot" user; numeric, so the kubelet can check runAsNonRoot without /etc/passwd.
USER 65532:65532
EXPOSE 8080 8081
# node as PID 1 is fine: the controller handles SIGTERM itself (stop taking work, finish, release the Lease).
# --max-semi-space-size=4 (MiB): V8 otherwise sizes the young generation from the machine's memory, and after a
# burst of reconciles it kept ~180 MiB more resident at 10,000 schedules (docs/scaling.md, "Memory").
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=4", "dist/cli/main.js", "controller"]
