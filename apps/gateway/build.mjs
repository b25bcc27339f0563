// Bundle src/server.ts into dist/server.js (ESM, node). npm dependencies stay external (installed next to it);
// the @sluice/* workspace packages export raw .ts and are bundled in.

import { readFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
  .filter((name) => !name.startsWith("@sluice/"))
  .flatMap((name) => [name, `${name}/*`]);
// what the bundled workspace packages import themselves
const dbPkg = JSON.parse(readFileSync(new URL("../../packages/db/package.json", import.meta.url), "utf8"));
for (const name of Object.keys(dbPkg.dependencies ?? {})) if (!name.startsWith("@sluice/")) external.push(name, `${name}/*`);

await build({
  entryPoints: ["src/server.ts"],
  outfile: "dist/server.js",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: true,
  external,
  banner: {
    js: [
      "#!/usr/bin/env node",
      "import { createRequire as __sluiceCreateRequire } from 'node:module';",
      "const require = __sluiceCreateRequire(import.meta.url);",
    ].join("\n"),
  },
  logLevel: "warning",
});
