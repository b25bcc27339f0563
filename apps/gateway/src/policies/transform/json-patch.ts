// RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over RFC 6901 pointers, applied to a copy: the input
// is never mutated, and a failing operation (missing path, failed test) fails the whole patch. Keys "__proto__",
// "constructor" and "prototype" are refused so a stored patch cannot reach Object.prototype. Written here rather
// than pulled in: the six operations are ~100 lines, and the well-known package mutates in place by default.

import type { JsonPatchOperation } from "@sluice/db/schemas";

export type PatchResult = { ok: true; value: unknown } | { ok: false; error: string; index: number };

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`invalid pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === "object";
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`invalid array index "${token}"`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`array index ${i} out of bounds`);
  return i;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, tokens: string[]): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (FORBIDDEN.has(t)) throw new Error(`forbidden key "${t}"`);
    if (Array.isArray(cur)) cur = cur[arrayIndex(cur, t, false)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as Record<string, unknown>)[t];
    else throw new Error(`path not found at "${t}"`);
  }
  if (!isContainer(cur)) throw new Error("path does not lead into an object or array");
  const key = tokens[tokens.length - 1] as string;
  if (FORBIDDEN.has(key)) throw new Error(`forbidden key "${key}"`);
  return { parent: cur, key };
}

function get(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false)];
  if (!Object.hasOwn(parent, key)) throw new Error(`path not found at "${key}"`);
  return parent[key];
}

function add(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return undefined;
  const { parent, key } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else if (Object.hasOwn(parent, key)) delete parent[key];
  else throw new Error(`path not found at "${key}"`);
  return doc;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], (b as Record<string, unknown>)[k]));
}

export function applyJsonPatch(document: unknown, ops: readonly JsonPatchOperation[]): PatchResult {
  let doc = clone(document);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as JsonPatchOperation;
    try {
      const path = parsePointer(op.path);
      switch (op.op) {
        case "add":
          doc = add(doc, path, clone(op.value));
          break;
        case "remove":
          doc = remove(doc, path);
          break;
        case "replace": {
          if (path.length === 0) {
            doc = clone(op.value);
            break;
          }
          get(doc, path); // must exist
          const { parent, key } = parentOf(doc, path);
          if (Array.isArray(parent)) parent[arrayIndex(parent, key, false)] = clone(op.value);
          else parent[key] = clone(op.value);
          break;
        }
        case "move": {
          const from = parsePointer(op.from);
          if (op.path.startsWith(`${op.from}/`)) throw new Error("cannot move a value into itself");
          if (op.from === op.path) break;
          const v = get(doc, from);
          doc = add(remove(doc, from), path, v);
          break;
        }
        case "copy":
          doc = add(doc, path, clone(get(doc, parsePointer(op.from))));
          break;
        case "test":
          if (!deepEqual(get(doc, path), op.value)) throw new Error(`test failed at "${op.path}"`);
          break;
      }
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err), index: i };
    }
  }
  return { ok: true, value: doc };
}
