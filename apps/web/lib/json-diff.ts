// A flat before/after diff of two JSON values for the audit log: one row per changed leaf path ("targets.0.weight").

export interface DiffRow {
  path: string;
  before: unknown;
  after: unknown;
  kind: "added" | "removed" | "changed";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function flatten(value: unknown, prefix: string, out: Map<string, unknown>) {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, []);
    for (const [i, v] of value.entries()) flatten(v, prefix ? `${prefix}.${i}` : String(i), out);
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(prefix, {});
    for (const k of keys) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

/** Changed leaves between `before` and `after` (null = the entity did not exist), sorted by path. */
export function diffJson(before: unknown, after: unknown): DiffRow[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  if (before !== null && before !== undefined) flatten(before, "", a);
  if (after !== null && after !== undefined) flatten(after, "", b);
  const rows: DiffRow[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const hasA = a.has(path);
    const hasB = b.has(path);
    const x = a.get(path);
    const y = b.get(path);
    if (hasA && hasB && JSON.stringify(x) === JSON.stringify(y)) continue;
    rows.push({ path: path || "(value)", before: x, after: y, kind: !hasA ? "added" : !hasB ? "removed" : "changed" });
  }
  return rows.sort((p, q) => p.path.localeCompare(q.path, undefined, { numeric: true }));
}
