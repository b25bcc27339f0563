// CSV of the developer's own usage (My usage): per-bucket series or raw requests. DEVELOPER only; the owner is the
// session's user and goes into the SQL, so no query parameter can reach another developer's data.

import { exportUsageCsv, type PortalDimension, type UsageCsvRequest } from "@sluice/db";
import { parseRange } from "@sluice/ui";
import { authorizeRoute } from "@/lib/session";
import { csvHeaders, csvStream } from "../../finance/csv-stream";

export const dynamic = "force-dynamic";

const VIEWS = ["portal-usage", "portal-events"] as const;
const GROUPS: readonly string[] = ["consumer", "key", "model"];

export async function GET(request: Request) {
  const access = await authorizeRoute("DEVELOPER");
  if (access.response) return access.response;
  const sp = new URL(request.url).searchParams;
  const view = sp.get("view") ?? "portal-usage";
  if (!(VIEWS as readonly string[]).includes(view)) {
    return Response.json({ error: { code: "invalid", message: `view must be one of ${VIEWS.join(", ")}` } }, { status: 400 });
  }
  const range = parseRange({ range: sp.get("range"), from: sp.get("from"), to: sp.get("to") }, { defaultPreset: "30d" });
  const app = sp.get("app");
  const consumerIds = app ? [app] : undefined;
  const group = sp.get("group") ?? "consumer";
  const req: UsageCsvRequest =
    view === "portal-events"
      ? { view: "portal-events", ownerUserId: access.user.id, input: { consumerIds, since: range.from, limit: 200 } }
      : {
          view: "portal-usage",
          ownerUserId: access.user.id,
          input: {
            filter: { from: range.from, to: range.to, consumerIds },
            bucket: range.preset === "24h" ? "hour" : "day",
            groupBy: GROUPS.includes(group) ? (group as PortalDimension) : null,
            topGroups: 1000,
          },
        };
  return new Response(csvStream(exportUsageCsv(req)), {
    headers: csvHeaders(`sluice-${view}-${range.fromDay}-to-${range.toDay}.csv`),
  });
}
