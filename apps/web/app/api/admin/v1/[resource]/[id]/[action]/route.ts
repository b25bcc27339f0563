// Entity actions (POST /keys/{id}/rotate …) and collection actions (POST /policies/-/reorder).

import { action } from "@/lib/admin-api/handlers";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ resource: string; id: string; action: string }> };

export async function GET(request: Request, { params }: Ctx) {
  const p = await params;
  return action(request, p.resource, p.id, p.action);
}

export async function POST(request: Request, { params }: Ctx) {
  const p = await params;
  return action(request, p.resource, p.id, p.action);
}
