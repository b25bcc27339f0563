import { getRouteOrThrow, isConfigError, listGroupOptions, listProviderOptions } from "@sluice/db";
import { PageHeader } from "@sluice/ui";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { param, type SearchParams } from "@/lib/list-params";
import { requireRole } from "@/lib/session";
import { DoneNotice } from "../../_components/errors";
import { gatewayUrl } from "../gateway-url";
import { RouteForm } from "../route-form";

export const metadata: Metadata = { title: "Edit route" };
export const dynamic = "force-dynamic";

export default async function EditRoutePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  await requireRole("ADMIN");
  const { id } = await params;
  const sp = await searchParams;
  const route = await getRouteOrThrow(id).catch((err) => {
    if (isConfigError(err) && err.code === "not_found") notFound();
    throw err;
  });
  const [providers, groups] = await Promise.all([listProviderOptions(), listGroupOptions()]);
  return (
    <>
      <PageHeader title={`Route ${route.name}`} description={<span className="font-mono text-xs">{route.id}</span>} />
      <DoneNotice done={param(sp, "done")} what="Route" />
      <RouteForm route={route} providers={providers} groups={groups} gatewayUrl={gatewayUrl()} />
    </>
  );
}
