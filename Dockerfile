# syntax=docker/dockerfile:1
# The operator image. The build stage bundles src/ and its dependencies into dist/
# (scripts/build-dist.sh): a few ES modules instead of ~560 separate ones and no type stripping at
# run time, which saves RSS in the operator and in every SPIFFE agent sidecar (figures: docs/adr/0007).
# The final stage holds only dist/ (no node_modules: the bundle is self-contained), runs as the
# unprivileged `node` user (uid 1000) and needs no writable root filesystem (the chart mounts an
# emptyDir at /tmp and sets readOnlyRootFilesystem).
#   docker build -t <registry>/akash-operator:<version> .
# Not built by this repository's CI: its machines have no Docker engine (docs/adr/0002).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script; refusing them keeps the build reproducible and safer.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build-dist.sh scripts/bundle.ts ./scripts/
COPY src ./src
RUN scripts/build-dist.sh /app/dist

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only for the runtime user: the process cannot rewrite its own code.
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080
# The chart replaces this with `node <nodeFlags> dist/main.js` (V8 flags NODE_OPTIONS refuses).
ENTRYPOINT ["node", "dist/main.js"]
CMD ["run"]
