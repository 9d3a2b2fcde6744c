/** What the Prisma schema says about a model: its version column and which fields a `where` can compare. */

export interface ModelInfo {
  versionField?: 'version' | 'updatedAt';
  /** Scalar field → its Prisma type (String, Int, DateTime, an enum …); lists and relations are left out. */
  fields?: Map<string, string>;
  /** Scalar fields declared optional (`Int?`): NULL there, where `{ increment }` would keep NULL. */
  optional?: Set<string>;
  /** Relation field → the delegate of the model it holds (`items` → `orderItem`), lists and single rows alike. */
  relations?: Map<string, string>;
}

// Types a `where` can compare for equality (enums too: any name that is not a model). Json and Bytes cannot.
const NOT_COMPARABLE = new Set(['Json', 'Bytes', 'Unsupported']);

/** Delegate name (`checklistItem`) → what the schema says about that model. */
export function schemaModels(schema: string | undefined): Map<string, ModelInfo> {
  const out = new Map<string, ModelInfo>();
  if (!schema) return out;
  for (const m of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const delegate = m[1]![0]!.toLowerCase() + m[1]!.slice(1);
    const body = m[2]!;
    const versionField = /^\s*version\s+Int\b/m.test(body) ? 'version' : /^\s*updatedAt\s+DateTime\b/m.test(body) ? 'updatedAt' : undefined;
    const fields = new Map<string, string>();
    const optional = new Set<string>();
    const typed = new Map<string, string>();
    for (const f of body.matchAll(/^\s*(\w+)\s+(\w+)(\[\])?(\?)?/gm)) {
      typed.set(f[1]!, f[2]!);
      if (f[3]) continue;
      fields.set(f[1]!, f[2]!);
      if (f[4]) optional.add(f[1]!);
    }
    out.set(delegate, { versionField, fields, optional, relations: typed });
  }
  const modelNames = new Set([...schema.matchAll(/^model\s+(\w+)/gm)].map((m) => m[1]!));
  for (const info of out.values()) {
    for (const [name, type] of info.fields!) if (modelNames.has(type)) info.fields!.delete(name);
    const relations = new Map<string, string>();
    for (const [name, type] of info.relations!) if (modelNames.has(type)) relations.set(name, type[0]!.toLowerCase() + type.slice(1));
    info.relations = relations;
  }
  return out;
}

const NUMERIC = new Set(['Int', 'BigInt', 'Float', 'Decimal']);

/** A required number column: the only kind where `{ increment: x }` does what `r.f + x` did (never on NULL or text). */
export function isRequiredNumber(info: ModelInfo, field: string): boolean {
  return Boolean(info.fields && NUMERIC.has(info.fields.get(field) ?? '') && !info.optional?.has(field));
}

/** Fields that cannot go into a `where` equality (unknown, relation, list, Json, Bytes), given the schema. */
export function uncomparable(info: ModelInfo, fields: string[]): string[] {
  if (!info.fields) return [];
  return fields.filter((f) => !info.fields!.has(f) || NOT_COMPARABLE.has(info.fields!.get(f)!));
}

/**
 * Why `updateMany` could not take these `data` keys (relation writes, unknown names), or undefined when it can.
 * Without a schema nothing can be proven: every key is suspect.
 */
export function notScalarWritable(info: ModelInfo, keys: string[]): string[] {
  if (!info.fields) return keys;
  return keys.filter((k) => !info.fields!.has(k));
}
