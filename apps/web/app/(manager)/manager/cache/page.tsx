import { Alert, Button, Card, CardContent, CardDescription, CardHeader, CardTitle, PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";

export const metadata: Metadata = { title: "Cache" };
export const dynamic = "force-dynamic";

export default async function CachePage() {
  await requireRole("ADMIN");
  return (
    <>
      <PageHeader title="Cache" description="Purge cached answers by route, by consumer, or all of them." />
      <Alert tone="warning" className="mb-6">
        Not available yet: the gateway does not expose a purge endpoint in this version, so nothing on this page can be run.
        Cached answers expire with their policy's TTL; to drop them now, disable the cache policy (Policies page) or restart the
        gateways when the cache is in process.
      </Alert>
      <Card aria-disabled="true" className="opacity-60">
        <CardHeader>
          <CardTitle>Purge</CardTitle>
          <CardDescription>
            Planned: by route, by consumer (or team partition), or everything, on every gateway node.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex gap-2">
          <Button variant="secondary" disabled>
            Purge a route…
          </Button>
          <Button variant="secondary" disabled>
            Purge a consumer…
          </Button>
          <Button variant="danger" disabled>
            Purge everything
          </Button>
        </CardContent>
      </Card>
    </>
  );
}
