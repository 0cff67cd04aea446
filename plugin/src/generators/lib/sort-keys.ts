/** A copy of `record` sorted by key with a fixed locale (as npm sorts dependencies), whatever the machine's locale. */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b, 'en')));
}
