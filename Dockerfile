# syntax=docker/dockerfile:1
# The operator image. Node 24 runs the TypeScript sources directly (type stripping), so the only
# build step is installing the production dependencies; the final stage holds node_modules, src/
# and the few files the CLI imports, runs as the unprivileged `node` user (uid 1000) and needs no
# writable root filesystem (the chart mounts an emptyDir at /tmp and sets readOnlyRootFilesystem).
#   docker build -t <registry>/akash-operator:<version> .
# Not built by this repository's CI: its machines have no Docker engine (docs/adr/0002).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script; refusing them keeps the build reproducible and safer.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the runtime user: the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["node", "src/cli/main.ts"]
CMD ["run"]
