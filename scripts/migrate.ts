// pnpm db:migrate            apply pending migrations to DATABASE_URL (creates the database if needed)
// pnpm db:diff <name>        write prisma/migrations/<stamp>_<name>/ for the changes in prisma/schema.prisma
// pnpm db:check              fail when prisma/schema.prisma and the migrations disagree (CI runs this)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkDrift, createMigration, migrateDatabase, repoPaths } from "../packages/db/src/migrate/index.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const paths = repoPaths(root);
const [cmd, arg] = process.argv.slice(2);
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

async function main(): Promise<number> {
  if (cmd === "apply") {
    if (!process.env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
    const applied = await migrateDatabase(url, paths.migrationsDir);
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "database is up to date");
    return 0;
  }
  if (cmd === "diff") {
    if (!arg) throw new Error("usage: pnpm db:diff <migration_name>");
    const folder = await createMigration(paths, arg, url);
    console.log(folder ? `wrote prisma/migrations/${folder}` : "no changes: schema.prisma matches the last migration");
    return 0;
  }
  if (cmd === "check") {
    const r = await checkDrift(paths, url);
    if (r.ok) {
      console.log("schema.prisma and prisma/migrations agree");
      return 0;
    }
    if (r.snapshotDiff)
      console.error(`schema.prisma changed since the last migration; run pnpm db:diff <name>:\n${r.snapshotDiff}`);
    for (const l of r.onlyInMigrations) console.error(`only in the database built from migrations: ${l}`);
    for (const l of r.onlyInSchema) console.error(`only in the database built from schema.prisma: ${l}`);
    return 1;
  }
  console.error("usage: migrate.ts apply | diff <name> | check");
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`migrate: ${err.message.split("\n")[0]}`);
    process.exit(1);
  },
);
