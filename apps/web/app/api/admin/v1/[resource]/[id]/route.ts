// GET, PATCH and DELETE of one Admin API entity.

import { item } from "@/lib/admin-api/handlers";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ resource: string; id: string }> };

export async function GET(request: Request, { params }: Ctx) {
  const p = await params;
  return item(request, p.resource, p.id);
}

export async function PATCH(request: Request, { params }: Ctx) {
  const p = await params;
  return item(request, p.resource, p.id);
}

export async function DELETE(request: Request, { params }: Ctx) {
  const p = await params;
  return item(request, p.resource, p.id);
}
