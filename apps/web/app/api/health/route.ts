// Liveness for load balancers and the start command: public, no details beyond what an operator needs.

import { getConfigVersion, getDb } from "@sluice/db";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    const version = await getConfigVersion(getDb());
    return Response.json({ ok: true, db: "connected", configVersion: Number(version) });
  } catch {
    return Response.json({ ok: false, db: "error", configVersion: null }, { status: 503 });
  }
}
