/**
 * Names written in an archive are untrusted. Each one becomes a normalised path (relative, `/`-separated,
 * no `.`/`..`/empty component) or is refused with a one-line reason. Refusing is never fatal: the member
 * is listed in `refused` and the rest of the archive stays readable.
 *
 * Absolute names (`/private/var/…`) are read from the archive's root: nothing here is ever extracted, so a
 * leading `/` names no place on the analyst's disk; a later member whose name is the same once the `/` is
 * dropped is a duplicate (the first wins, as for any duplicate). UNC names (`//host/x`) stay refused.
 *
 * Separators: the zip format says names use `/` only, but Windows archivers wrote `\`; in a zip `\` is
 * therefore read as a separator. In a tar `\` is an ordinary character of a POSIX name and is kept, but a
 * name that would contain a `..` component if `\` were a separator is still refused (an extractor on
 * Windows would climb out with it).
 */

export type NameFlavour = 'zip' | 'tar';

export type NameVerdict =
  | { readonly ok: true; readonly path: string; readonly isDirectory: boolean }
  /** `./` or `/`-only names: the archive's own root, neither exposed nor refused. */
  | { readonly ok: 'root' }
  | { readonly ok: false; readonly reason: string };

// \p{Cc}: C0 (NUL, newline, escape, …), DEL and C1 controls: they break one-line output and hide text on terminals.
const CONTROL = /\p{Cc}/u;
const DRIVE = /^[A-Za-z]:/;

export const NAME_REASONS = {
  empty: 'empty name',
  control: 'control character in the name',
  drive: 'drive letter in the name (an absolute Windows path)',
  absolute: 'absolute name',
  parent: 'parent-folder component (..) in the name',
} as const;

export function normaliseMemberName(raw: string, flavour: NameFlavour): NameVerdict {
  if (raw === '') return { ok: false, reason: NAME_REASONS.empty };
  if (CONTROL.test(raw)) return { ok: false, reason: NAME_REASONS.control };
  const name = flavour === 'zip' ? raw.replace(/\\/g, '/') : raw;
  if (DRIVE.test(name.replace(/\\/g, '/'))) return { ok: false, reason: NAME_REASONS.drive };
  // `/private/var/…` (iLEAPP's zips, some dump tools) names the member from the archive's root: nothing is
  // extracted, so it points nowhere on the analyst's disk. `//host/share` (UNC) and `\x` stay refused.
  if (name.startsWith('//') || (flavour === 'tar' && name.startsWith('\\'))) return { ok: false, reason: NAME_REASONS.absolute };
  if (name.split(/[\\/]/).includes('..')) return { ok: false, reason: NAME_REASONS.parent };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 && name.startsWith('/')) return { ok: false, reason: NAME_REASONS.absolute };
  if (parts.length === 0) return { ok: 'root' };
  return { ok: true, path: parts.join('/'), isDirectory: name.endsWith('/') };
}

/**
 * A path a caller asks for: the same rules, except that a leading `/` is allowed (sources hold device paths
 * such as `/private/var/…`). Null when it can name nothing in this layer.
 */
export function normaliseQueryPath(path: string): string | null {
  const verdict = normaliseMemberName(path.replace(/^\/+/, ''), 'tar');
  return verdict.ok === true ? verdict.path : null;
}

/** Escapes control characters and backslashes so a hostile name prints on one line and reads back unambiguously. */
export function printableName(raw: string): string {
  const escaped = raw.replace(/\\/g, '\\\\').replace(/\p{Cc}/gu, (c) => `\\x${c.codePointAt(0)!.toString(16).padStart(2, '0')}`);
  return escaped.length > 512 ? `${escaped.slice(0, 512)}…` : escaped;
}

/**
 * Where a symlink at `linkPath` leads when resolved inside the layer, or null when it leaves it (an absolute
 * target, or more `..` than there are folders above). This layer never follows links; a source that wants the
 * phone's own links (`/var` → `/private/var`) resolves them with this and asks for the result, which is again
 * subject to every rule here.
 */
export function resolveLinkInside(linkPath: string, linkTarget: string): string | null {
  if (linkTarget === '' || linkTarget.startsWith('/') || CONTROL.test(linkTarget)) return null;
  const parts = linkPath.split('/').slice(0, -1);
  for (const part of linkTarget.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length === 0 ? null : parts.join('/');
}
