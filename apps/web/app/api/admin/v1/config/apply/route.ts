// POST a declarative document: applied in one transaction with one config version bump (?dryRun=1 = diff).
// Scope config:write.

import { applyConfig } from "@/lib/admin-api/config-as-code";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return applyConfig(request);
}
