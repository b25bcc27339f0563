// GET (list, paged/sorted/filtered) and POST (create) for every Admin API resource; see lib/admin-api/registry.ts.

import { collection } from "@/lib/admin-api/handlers";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ resource: string }> };

export async function GET(request: Request, { params }: Ctx) {
  return collection(request, (await params).resource);
}

export async function POST(request: Request, { params }: Ctx) {
  return collection(request, (await params).resource);
}
