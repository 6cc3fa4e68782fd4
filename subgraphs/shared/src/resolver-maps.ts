/**
 * Merges a subgraph's per-area resolver maps (`*.resolvers.ts`, each typed with the subgraph's
 * generated `Resolvers`) into one map. Two areas resolving the same field is a mistake that would
 * silently drop one of them, so it stops the service at start instead.
 */
export function mergeResolvers<R extends object>(...maps: R[]): R {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [typeName, fields] of Object.entries(map as Record<string, unknown>)) {
      // Scalars (GraphQLScalarType instances) are taken as they are.
      if (typeof fields !== "object" || fields === null || fields.constructor !== Object) {
        if (typeName in merged) throw new Error(`Resolvers for ${typeName} are defined twice`);
        merged[typeName] = fields as Record<string, unknown>;
        continue;
      }
      const target = merged[typeName] ?? {};
      merged[typeName] = target;
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in target) throw new Error(`Resolver ${typeName}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged as R;
}
