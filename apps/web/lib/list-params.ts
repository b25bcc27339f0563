// Server-side list state in the URL: ?page=&pageSize=&sort=&order=&q= plus per-page filters. Pages read it, tables
// and pagination build links from it, so every view is a shareable link and works without JavaScript.

export type SearchParams = Record<string, string | string[] | undefined>;

export function param(sp: SearchParams, name: string): string | undefined {
  const v = sp[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
}

export interface ListState {
  page: number;
  pageSize: number;
  sort?: string;
  order: "asc" | "desc";
  q?: string;
}

export function listState(
  sp: SearchParams,
  defaults: { sort?: string; order?: "asc" | "desc"; pageSize?: number } = {},
): ListState {
  const page = Number(param(sp, "page") ?? 1);
  const pageSize = Number(param(sp, "pageSize") ?? defaults.pageSize ?? 25);
  const order = param(sp, "order");
  return {
    page: Number.isInteger(page) && page > 0 ? page : 1,
    pageSize: Number.isInteger(pageSize) && pageSize > 0 && pageSize <= 200 ? pageSize : 25,
    sort: param(sp, "sort") ?? defaults.sort,
    order: order === "asc" || order === "desc" ? order : (defaults.order ?? "asc"),
    q: param(sp, "q"),
  };
}

/** A link to `base` with the current params changed by `patch` (undefined removes a param). */
export function hrefWith(base: string, sp: SearchParams, patch: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(sp)) {
    const s = Array.isArray(v) ? v[0] : v;
    if (s !== undefined && s !== "" && !["done", "edit", "new"].includes(k)) u.set(k, s);
  }
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === "") u.delete(k);
    else u.set(k, String(v));
  }
  const qs = u.toString();
  return qs ? `${base}?${qs}` : base;
}

export function listLinks(base: string, sp: SearchParams) {
  return {
    page: (page: number) => hrefWith(base, sp, { page }),
    sort: (sort: string, order: "asc" | "desc") => hrefWith(base, sp, { sort, order, page: undefined }),
  };
}
