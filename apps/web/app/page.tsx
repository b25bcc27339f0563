// "/" sends each user to their home: the manager for admins, finance, or the developer portal.

import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/roles";
import { requireUser } from "@/lib/session";

export const dynamic = "force-dynamic";

export default async function Home({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const user = await requireUser();
  const { callbackUrl } = await searchParams;
  redirect(safeCallbackPath(callbackUrl, user.roles));
}
