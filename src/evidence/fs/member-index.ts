/**
 * The in-memory index of an archive's members, shared by zip and tar: names are normalised or refused,
 * duplicates are refused, and after the last member every parent folder exists as a directory entry, so a
 * walk over an archive looks like a walk over a folder (zips often carry no folder entries at all).
 *
 * Duplicate names: the FIRST member with a name wins and every later one is refused. Extractors disagree
 * (unzip asks, tar overwrites so the last wins), and either choice can be abused to show one tool one file
 * and another tool another. First-wins lets a tar.gz be served in one streaming pass without waiting for
 * the end of the archive, and the refused list says the name was ambiguous, so the examiner sees it.
 */
import { directoryEntry, type FsEntry, type RefusedEntry } from './file-system.js';
import { normaliseMemberName, normaliseQueryPath, printableName, type NameFlavour } from './member-names.js';

export const INDEX_REASONS = {
  duplicate: 'duplicate name: the first member with this name is used',
  parentNotFolder: (parent: string, type: string) =>
    `inside ${printableName(parent)}, which is a ${type === 'symlink' ? 'symbolic link' : 'file'} in this archive, not a folder`,
} as const;

interface Slot<L> {
  entry: FsEntry;
  locator: L | null;
}

export class MemberIndex<L> {
  readonly refused: RefusedEntry[] = [];
  /**
   * Every name taken: null while claimed but not (yet) put, and after `finish` for a member refused after its
   * claim (an encrypted first member still makes a later twin a duplicate). One map rather than a map and a set
   * of claimed names: the index holds one entry per member, hundreds of thousands in a filesystem dump.
   */
  private readonly byPath = new Map<string, Slot<L> | null>();
  private finished = false;

  constructor(private readonly flavour: NameFlavour) {}

  get size(): number {
    return this.byPath.size;
  }

  /**
   * Checks a stored name: the normalised path when it may be used, or null when it was refused (recorded)
   * or names the archive root. A path is claimed even if the member is refused later for another reason.
   */
  claim(rawName: string): { path: string; isDirectory: boolean } | null {
    const verdict = normaliseMemberName(rawName, this.flavour);
    if (verdict.ok === 'root') return null;
    if (verdict.ok === false) {
      this.refuse(rawName, verdict.reason);
      return null;
    }
    if (this.byPath.has(verdict.path)) {
      this.refuse(rawName, INDEX_REASONS.duplicate);
      return null;
    }
    this.byPath.set(verdict.path, null);
    return { path: verdict.path, isDirectory: verdict.isDirectory };
  }

  refuse(rawName: string, reason: string): void {
    this.refused.push({ name: printableName(rawName), reason });
  }

  /** Adds a member whose path came from `claim`. `locator` says where its content is (null for folders and links). */
  put(entry: FsEntry, locator: L | null): void {
    this.byPath.set(entry.path, { entry, locator });
  }

  get(path: string): Slot<L> | undefined {
    return this.byPath.get(path) ?? undefined;
  }

  /** The entry a caller's path names (normalised first, as `FileSystem.stat` takes any spelling), or null. */
  lookup(path: string): FsEntry | null {
    const rel = normaliseQueryPath(path);
    return rel === null ? null : (this.byPath.get(rel)?.entry ?? null);
  }

  /**
   * Refuses members below a file or link (a walk of a folder can never produce such a path, so neither may
   * an archive) and adds the parent folders no member names. Call once, after the last `put`.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    // Per folder path: null when it and all its parents are folders, else the first non-folder above (memoised, so each folder is judged once).
    const blocked = new Map<string, string | null>();
    const judge = (folder: string): string | null => {
      if (folder === '') return null;
      const known = blocked.get(folder);
      if (known !== undefined) return known;
      const slot = this.byPath.get(folder);
      let verdict: string | null;
      if (slot && slot.entry.type !== 'directory') verdict = folder;
      else {
        if (!slot) this.byPath.set(folder, { entry: directoryEntry({ path: folder }), locator: null });
        verdict = judge(parentOf(folder));
      }
      blocked.set(folder, verdict);
      return verdict;
    };
    for (const [path, slot] of [...this.byPath]) {
      if (slot === null) continue;
      const blocker = judge(parentOf(path));
      if (blocker === null) continue;
      this.byPath.delete(path);
      this.refuse(path, INDEX_REASONS.parentNotFolder(blocker, this.typeOf(blocker)));
    }
    // Folders implied only by refused members, or themselves below a non-folder, are not listed either.
    for (const [folder, blocker] of blocked) if (blocker !== null && this.byPath.get(folder)?.entry.type === 'directory') this.byPath.delete(folder);
  }

  private typeOf(path: string): string {
    return this.byPath.get(path)?.entry.type ?? 'file';
  }

  *entries(): IterableIterator<FsEntry> {
    for (const slot of this.byPath.values()) if (slot !== null) yield slot.entry;
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}
