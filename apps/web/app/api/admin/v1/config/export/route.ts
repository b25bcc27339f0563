// GET: the whole configuration as declarative YAML (?format=json for JSON). Scope config:read.

import { exportConfig } from "@/lib/admin-api/config-as-code";

export const dynamic = "force-dynamic";

export function GET(request: Request) {
  return exportConfig(request);
}
