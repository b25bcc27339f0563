import { listCatalogForDeveloper } from "@sluice/db";
import { Card, CardContent, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";
import { PlaygroundForm } from "./playground-form";

export const metadata: Metadata = { title: "Playground" };
export const dynamic = "force-dynamic";

export default async function PlaygroundPage() {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const routes = (await listCatalogForDeveloper(user.id)).filter((r) => r.type === "chat");
  return (
    <>
      <PageHeader title="Playground" description="Send a test prompt through the gateway with one of your keys." />
      <Card>
        <CardContent>
          <PlaygroundForm routes={routes.map((r) => ({ id: r.id, name: r.name, models: r.models.map((m) => m.name) }))} />
        </CardContent>
      </Card>
    </>
  );
}
