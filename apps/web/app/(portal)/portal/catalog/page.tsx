import { listCatalogForDeveloper } from "@sluice/db";
import {
  Badge,
  Card,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
  EmptyState,
  formatDecimal,
  PageHeader,
  Table,
  TBody,
  TD,
  TH,
  THead,
  TR,
} from "@sluice/ui";
import type { Metadata } from "next";
import { requireRole } from "@/lib/session";
import { routeBaseUrl } from "../gateway-url";
import { Snippets } from "./snippets";

export const metadata: Metadata = { title: "Catalog" };
export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const user = await requireRole("DEVELOPER", "ADMIN");
  const routes = await listCatalogForDeveloper(user.id);
  return (
    <>
      <PageHeader
        title="Catalog"
        description="The routes and models your groups may call, what they cost, and the limits that apply."
      />
      {routes.length === 0 ? (
        <EmptyState
          title="No routes are open to you yet"
          description="An administrator decides which routes your group may call. Ask them to allow your group on a route."
        />
      ) : (
        <div className="space-y-6">
          {routes.map((route) => {
            const baseUrl = routeBaseUrl(route.paths);
            return (
              <Card key={route.id} data-testid={`catalog-route-${route.name}`}>
                <CardHeader>
                  <div className="flex flex-wrap items-center gap-2">
                    <CardTitle>{route.name}</CardTitle>
                    <Badge>{route.type}</Badge>
                    <code className="text-xs text-zinc-500">{baseUrl}</code>
                  </div>
                  {route.description ? <CardDescription>{route.description}</CardDescription> : null}
                </CardHeader>
                <Table>
                  <THead>
                    <tr>
                      <TH>Model</TH>
                      <TH>Provider</TH>
                      <TH className="text-right">Context window</TH>
                      <TH className="text-right">Input / 1M</TH>
                      <TH className="text-right">Output / 1M</TH>
                      <TH className="text-right">Cached input / 1M</TH>
                    </tr>
                  </THead>
                  <TBody>
                    {route.models.map((m) => (
                      <TR key={m.name}>
                        <TD>
                          <div className="font-mono text-xs text-zinc-900">{m.name}</div>
                          {m.upstreamModel !== m.name ? <div className="text-xs text-zinc-500">{m.upstreamModel}</div> : null}
                        </TD>
                        <TD>
                          {m.providerName} <span className="text-xs text-zinc-500">({m.providerKind})</span>
                        </TD>
                        <TD className="text-right tabular-nums">
                          {m.contextWindow ? m.contextWindow.toLocaleString("en-US") : "—"}
                        </TD>
                        <TD className="text-right tabular-nums">
                          {m.price ? `${formatDecimal(m.price.inputPer1M, 2)} ${m.price.currency}` : "no price"}
                        </TD>
                        <TD className="text-right tabular-nums">
                          {m.price ? `${formatDecimal(m.price.outputPer1M, 2)} ${m.price.currency}` : "—"}
                        </TD>
                        <TD className="text-right tabular-nums">
                          {m.price?.cachedInputPer1M ? `${formatDecimal(m.price.cachedInputPer1M, 3)} ${m.price.currency}` : "—"}
                        </TD>
                      </TR>
                    ))}
                  </TBody>
                </Table>
                <CardContent className="space-y-4 border-t border-zinc-100">
                  <div>
                    <h3 className="mb-1 text-xs font-medium tracking-wide text-zinc-500 uppercase">Limits</h3>
                    {route.limits.length === 0 ? (
                      <p className="text-sm text-zinc-500">No rate limits or budgets apply beyond your keys' own.</p>
                    ) : (
                      <ul className="space-y-1 text-sm">
                        {route.limits.map((l) => (
                          <li key={l.id} className="flex flex-wrap items-center gap-2">
                            <Badge tone={l.kind === "budget" ? "warning" : "info"}>{l.kind}</Badge>
                            <span className="text-zinc-800">{l.summary}</span>
                            <span className="text-xs text-zinc-500">
                              {l.name} · {l.scope}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </div>
                  <Snippets baseUrl={baseUrl} models={route.models.map((m) => m.name)} />
                </CardContent>
              </Card>
            );
          })}
        </div>
      )}
    </>
  );
}
