# Node 24 LTS, pinned to one release: raise it with each 24.x security release. (The code also runs on
# Node 20.19+ and 22.12+, as package.json's engines say; tests and CI run there too.)
FROM node:24.15.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# TEMPORAL_ADDRESS is set in production, so no embedded dev server is needed.
CMD ["node", "--import", "tsx", "src/main.ts"]
