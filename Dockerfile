# Node 24 LTS, pinned to one release: raise it with each 24.x security release. (The code also runs on
# Node 20.19+ and 22.12+, as package.json's engines say; tests and CI run there too.)

# Build: the compiled service and its prebuilt workflow bundles (`npm run build`: scripts/build.ts).
FROM node:24.15.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build

# Run: production packages and dist/ only; no sources, no TypeScript at run time.
FROM node:24.15.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# TEMPORAL_ADDRESS is set in production, so no embedded dev server is needed.
CMD ["node", "dist/main.js"]
