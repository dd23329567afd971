FROM node:20-bookworm-slim
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
