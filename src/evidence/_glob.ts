/** `*` matches any run of characters within one path segment; everything else is literal. */
export function segmentGlobToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

/** The same pattern as an SQLite GLOB prefilter (its `*` also crosses `/`, so results are re-checked). */
export function segmentGlobToSqliteGlob(pattern: string): string {
  return pattern
    .split('*')
    .map((part) => part.replace(/[[?*]/g, (c) => `[${c}]`))
    .join('*');
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*');
}
