// Prisma CLI config. Only `prisma generate` is used here (see scripts/migrate.ts for migrations: the native schema
// engine cannot be downloaded on these machines). DATABASE_URL is optional for generate.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
