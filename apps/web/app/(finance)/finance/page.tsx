import type { Metadata } from "next";
import { NotBuilt } from "@/components/not-built";
import { requireRole } from "@/lib/session";

export const metadata: Metadata = { title: "Finance" };
export const dynamic = "force-dynamic";

export default async function FinancePage() {
  await requireRole("FINANCE", "ADMIN");
  return (
    <NotBuilt
      title="Finance"
      summary="Spend on LLM providers by team, application, key, route and model."
      planned={[
        "Cost and token reports by team, consumer, key, route, provider and model",
        "Budgets and their consumption",
        "Exports for chargeback",
      ]}
    />
  );
}
