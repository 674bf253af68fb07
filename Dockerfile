# syntax=docker/dockerfile:1
# The operator image. The build stage compiles src/ to JavaScript (scripts/build-dist.sh): running
# compiled code instead of Node's type stripping saves ~25 MB of RSS per process, for the operator
# and for every SPIFFE agent sidecar (same image). The final stage holds dist/ and the production
# node_modules, runs as the unprivileged `node` user (uid 1000) and needs no writable root
# filesystem (the chart mounts an emptyDir at /tmp and sets readOnlyRootFilesystem).
#   docker build -t <registry>/akash-operator:<version> .
# Not built by this repository's CI: its machines have no Docker engine (docs/adr/0002).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script; refusing them keeps the build reproducible and safer.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-dist.sh ./scripts/
COPY src ./src
COPY e2e/harness ./e2e/harness
RUN scripts/build-dist.sh /app/dist

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the runtime user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
