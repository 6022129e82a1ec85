# keyless: multi-stage build, non-root, Node 22 LTS (the code stays Node 20 compatible).
# The image holds the production start path only: no dev dependency, no dynalite, no playground,
# no local emulators (test/unit/deploy/image.test.ts checks this file and .dockerignore).
#
# The policy: KEYLESS_POLICY, by default ssm:/keyless/policy in the stack (manifest/aws); or mount a
# file at /app/policy.yaml and set KEYLESS_POLICY=/app/policy.yaml.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build \
  && rm -rf dist/adapters/local dist/adapters/main/playground.js \
  && find dist -name '*.map' -delete

FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:22-slim
ENV NODE_ENV=production KEYLESS_MODE=production KEYLESS_PORT=3000
# One font for the weekly posture chart (resvg draws its labels with it; the slim image has none).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./package.json
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.KEYLESS_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/adapters/main/cli.js"]
CMD ["start"]
