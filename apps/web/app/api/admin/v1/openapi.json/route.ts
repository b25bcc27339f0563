// The Admin API's OpenAPI 3.1 document (public: it describes the API, it grants nothing).

import { buildOpenApi } from "@/lib/admin-api/openapi";

export const dynamic = "force-static";

export function GET() {
  return Response.json(buildOpenApi(), { headers: { "cache-control": "public, max-age=300" } });
}
