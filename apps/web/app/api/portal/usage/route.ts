// Live data of "My usage" (react-query polls it): totals for the page's range and the latest requests. DEVELOPER or
// ADMIN; always the session user's own data (the owner goes into the SQL, the query string can only narrow it).

import { getPortalUsageTotals, listPortalRecentRequests } from "@sluice/db";
import { parseRange } from "@sluice/ui";
import { authorizeRoute } from "@/lib/session";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const access = await authorizeRoute("DEVELOPER", "ADMIN");
  if (access.response) return access.response;
  const sp = new URL(request.url).searchParams;
  const range = parseRange({ range: sp.get("range"), from: sp.get("from"), to: sp.get("to") }, { defaultPreset: "7d" });
  const app = sp.get("app");
  const consumerIds = app ? [app.slice(0, 200)] : undefined;
  const [totals, recent] = await Promise.all([
    getPortalUsageTotals(access.user.id, { from: range.from, to: range.to, consumerIds }),
    listPortalRecentRequests(access.user.id, { consumerIds, limit: 20 }),
  ]);
  return Response.json({ totals, recent: recent.events }, { headers: { "cache-control": "no-store" } });
}
