// `pnpm sluice config export|diff|apply`: Sluice configuration as code, over the Admin API.
//
//   pnpm sluice config export [-o sluice.yaml] [--format yaml|json]
//   pnpm sluice config diff sluice.yaml            (dry run: what apply would change; "-" reads stdin)
//   pnpm sluice config apply sluice.yaml [--dry-run]
//
// Talks to SLUICE_URL (default http://127.0.0.1:3000) with an admin API token from SLUICE_ADMIN_TOKEN (or --token),
// created on the manager's "Admin API tokens" page. Exit codes: 0 done, 1 refused or failed, 2 usage.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const USAGE = `usage: pnpm sluice config <export|diff|apply> [file] [options]

  export [-o FILE] [--format yaml|json]   write the whole configuration (stdout without -o)
  diff FILE|-                             show what applying FILE would change (writes nothing)
  apply FILE|- [--dry-run]                make the configuration equal to FILE (one transaction)

options:
  --url URL        the Sluice web app (env SLUICE_URL, default http://127.0.0.1:3000)
  --token TOKEN    an admin API token sat-sluice-… (env SLUICE_ADMIN_TOKEN)
  --json           print the raw JSON answer of diff/apply
`;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface Change {
  kind: string;
  action: "create" | "update" | "delete";
  id: string;
  name: string;
  fields?: string[];
}
interface Plan {
  changes: Change[];
  counts: { create: number; update: number; delete: number; unchanged: number };
  kept: number;
  version?: string | null;
}

function readDocument(file: string | undefined): string {
  if (!file) throw new CliError("give the configuration file (or - for stdin)", 2);
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

async function call(base: string, token: string, method: string, path: string, body?: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${base.replace(/\/$/, "")}/api/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/yaml" } : {}) },
      body,
    });
  } catch (err) {
    throw new CliError(`cannot reach ${base}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const e = (await res.json()) as { error?: { message?: string; fields?: Record<string, string[]> } };
      if (e.error?.message) message = `${res.status}: ${e.error.message}`;
      const more = Object.entries(e.error?.fields ?? {}).slice(1, 10);
      if (more.length) message += `\n${more.map(([k, v]) => `  ${k}: ${v.join("; ")}`).join("\n")}`;
    } catch {
      // not JSON
    }
    throw new CliError(message);
  }
  return res;
}

function printPlan(plan: Plan, applied: boolean) {
  const sign = { create: "+", update: "~", delete: "-" } as const;
  for (const c of plan.changes) {
    const fields = c.fields?.length ? ` (${c.fields.join(", ")})` : "";
    console.log(`${sign[c.action]} ${c.kind} ${c.name}${c.name === c.id ? "" : ` [${c.id}]`}${fields}`);
  }
  const { create, update, delete: del, unchanged } = plan.counts;
  const verb = applied ? "applied" : "would apply";
  console.log(
    plan.changes.length === 0
      ? `no changes (${unchanged} unchanged)`
      : `${verb}: ${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged${plan.kept ? `, ${plan.kept} price rows kept as history` : ""}`,
  );
  if (applied && plan.version) console.log(`config version is now ${plan.version}`);
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      out: { type: "string", short: "o" },
      format: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, command, file] = positionals;
  if (values.help || group !== "config" || !command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const base = values.url ?? process.env.SLUICE_URL ?? "http://127.0.0.1:3000";
  const token = values.token ?? process.env.SLUICE_ADMIN_TOKEN;
  if (!token) throw new CliError("set SLUICE_ADMIN_TOKEN (or --token) to an admin API token (manager → Admin API tokens)", 2);

  switch (command) {
    case "export": {
      const format = values.format ?? "yaml";
      if (format !== "yaml" && format !== "json") throw new CliError("--format is yaml or json", 2);
      const text = await (await call(base, token, "GET", `/config/export?format=${format}`)).text();
      const out = format === "json" ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text;
      if (values.out) {
        writeFileSync(values.out, out);
        console.error(`wrote ${values.out}`);
      } else process.stdout.write(out);
      return 0;
    }
    case "diff":
    case "apply": {
      const doc = readDocument(file);
      const dry = command === "diff" || values["dry-run"] === true;
      const res = await call(base, token, "POST", dry ? "/config/diff" : "/config/apply", doc);
      const plan = (await res.json()) as Plan;
      if (values.json) console.log(JSON.stringify(plan, null, 2));
      else printPlan(plan, !dry);
      return 0;
    }
    default:
      throw new CliError(`unknown command "config ${command}"\n${USAGE}`, 2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`sluice: ${(err as Error).message}`);
      process.exit(err instanceof CliError ? err.exitCode : 1);
    },
  );
}
