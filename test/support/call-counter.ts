/**
 * Counts calls to the methods of a real object (a Docker source, a Kubernetes cluster) while passing them
 * through unchanged: for tests that prove something is looked up once, against the real backend.
 */
export function countCalls<T extends object>(target: T, counts: Map<string, number>, prefix = ''): T {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const value = Reflect.get(obj, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => {
        counts.set(prefix + key, (counts.get(prefix + key) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(obj, args);
      };
    },
  });
}

/**
 * Counts calls to `methods` of an object shared by reference (a cached Kubernetes cluster that every
 * resolver holds), in place; the returned function puts the originals back.
 */
export function countCallsInPlace<T extends object>(target: T, methods: readonly (keyof T & string)[], counts: Map<string, number>): () => void {
  const originals = methods.map((m) => [m, target[m]] as const);
  for (const [m, fn] of originals) {
    (target as Record<string, unknown>)[m] = (...args: unknown[]) => {
      counts.set(m, (counts.get(m) ?? 0) + 1);
      return (fn as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return () => {
    for (const [m, fn] of originals) (target as Record<string, unknown>)[m] = fn;
  };
}
