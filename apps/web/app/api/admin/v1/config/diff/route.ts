// POST a declarative document: the plan (creates, updates, deletes) without writing anything. Scope config:read.

import { diffConfig } from "@/lib/admin-api/config-as-code";

export const dynamic = "force-dynamic";

export function POST(request: Request) {
  return diffConfig(request);
}
