// CSV export of any finance view, streamed: the analytics layer's async generator reads through a server-side cursor,
// and each chunk goes out as it is produced, so a 10M-event export never sits in memory. FINANCE or ADMIN only.
// The query string is the dashboard's own (?view=...&range=...&team=...), parsed by the same function as the page.

import { exportUsageCsv } from "@sluice/db";
import { FINANCE_CSV_VIEWS, type FinanceCsvView, financeCsvRequest, parseFinanceParams } from "@/app/(finance)/finance/params";
import { authorizeRoute } from "@/lib/session";
import { csvHeaders, csvStream } from "../csv-stream";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const access = await authorizeRoute("FINANCE", "ADMIN");
  if (access.response) return access.response;
  const sp = new URL(request.url).searchParams;
  const view = sp.get("view") ?? "";
  if (!(FINANCE_CSV_VIEWS as readonly string[]).includes(view)) {
    return Response.json(
      { error: { code: "invalid", message: `view must be one of ${FINANCE_CSV_VIEWS.join(", ")}` } },
      { status: 400 },
    );
  }
  const params = parseFinanceParams(sp);
  const csv = exportUsageCsv(financeCsvRequest(view as FinanceCsvView, params));
  const filename = `sluice-${view}-${params.range.fromDay}-to-${params.range.toDay}.csv`;
  return new Response(csvStream(csv), { headers: csvHeaders(filename) });
}
