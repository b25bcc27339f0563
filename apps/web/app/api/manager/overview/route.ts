// Polled by the manager home (react-query) to keep node heartbeats and counts live. ADMIN only.

import { getManagerOverview } from "@/lib/overview";
import { authorizeRoute } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function GET() {
  const access = await authorizeRoute("ADMIN");
  if (access.response) return access.response;
  return Response.json(await getManagerOverview(), { headers: { "cache-control": "no-store" } });
}
