/**
 * The MBFile archive iOS writes in each row of a backup's Manifest.db (`Files.file`): an NSKeyedArchiver
 * binary plist whose root object holds a file's times, size, mode, owner and, in an encrypted backup, its
 * protection class and wrapped key.
 *
 * A backup has one archive per file, a hundred thousand or more, so the common shape is read directly: first by
 * `decodeMbFileDirect` (mbfile-direct.ts: one pass over each dict of an intact archive, straight from the bytes;
 * it answers only when it is sure), then by reference (`decodeMbFileShape`: the root object's number fields and
 * the key's NS.data, without decoding the rest of the archive or un-archiving it, several times faster than
 * that). Any other shape goes through the general keyed-archive decoder (`decodeMbFileByUnarchiving`), which also
 * gives the reason an archive is unusable; the three agree on every archive they read (test/formats/mbfile.test.ts,
 * on real and generated backups).
 */
import { FormatError } from '../errors.js';
import { decodeMbFileDirect } from './mbfile-direct.js';
import { unarchive } from './nskeyed.js';
import { BinaryPlistNavigator } from './plist-binary.js';
import { UID, type PlistValue } from './plist-values.js';

export interface MbFile {
  /** Unix seconds. */
  readonly modified?: number;
  readonly changed?: number;
  readonly born?: number;
  readonly size?: number;
  readonly mode?: number;
  readonly owner?: number;
  readonly protectionClass?: number;
  /** The file's wrapped key (encrypted backups). */
  readonly encryptionKey?: Buffer;
}

/**
 * An MBFile archive holds a dozen fields (about 20 plist objects). A backup has one per row, so the general
 * limits (millions of values) would let a crafted Manifest.db spend seconds on every row; these bound each row
 * to milliseconds while leaving room a hundred times over for a real one.
 */
export const mbFileLimits = {
  archive: { maxDepth: 16, maxValues: 10_000 },
  plist: { maxDepth: 32, maxValues: 10_000 },
} as const;

const WHAT = 'Manifest.db file metadata';

/** MBFile's number fields, by the name our record gives them. */
const NUMBER_FIELDS = [
  ['LastModified', 'modified'],
  ['LastStatusChange', 'changed'],
  ['Birth', 'born'],
  ['Size', 'size'],
  ['Mode', 'mode'],
  ['UserID', 'owner'],
  ['ProtectionClass', 'protectionClass'],
] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);

/** The archive's fields; a FormatError says why it is not a readable MBFile archive. */
export function decodeMbFile(blob: Buffer): MbFile {
  return decodeMbFileDirect(blob) ?? decodeMbFileShape(blob) ?? decodeMbFileByUnarchiving(blob);
}

/** Every object decoded and un-archived, then the fields picked: any archive the keyed-archive decoder reads. */
export function decodeMbFileByUnarchiving(blob: Buffer): MbFile {
  const mb = unarchive(blob, WHAT, mbFileLimits.archive, mbFileLimits.plist);
  if (typeof mb !== 'object' || mb === null || Array.isArray(mb) || Buffer.isBuffer(mb) || mb instanceof Date) return {};
  const out: Mutable<MbFile> = {};
  for (const [field, name] of NUMBER_FIELDS) {
    const v = asNumber(mb[field]);
    if (v !== undefined) out[name] = v;
  }
  if (Buffer.isBuffer(mb.EncryptionKey)) out.encryptionKey = mb.EncryptionKey;
  return out;
}

/**
 * The usual shape read by reference: `$archiver` NSKeyedArchiver, `$top.root` a UID into `$objects`, the root a
 * MBFile whose fields are numbers, its `EncryptionKey` a UID to an NSData whose `NS.data` is data. Undefined for
 * anything else (the general decoder then decides); damage met on the way is a FormatError, as there.
 */
export function decodeMbFileShape(blob: Buffer): MbFile | undefined {
  let plist: BinaryPlistNavigator;
  try {
    plist = new BinaryPlistNavigator(blob, WHAT, mbFileLimits.plist);
  } catch (err) {
    // Not a binary plist at all (an XML archive, say): the general decoder reads those too.
    if (err instanceof FormatError) return undefined;
    throw err;
  }
  const at = (index: number | undefined | null, key: string) => (index === undefined || index === null ? undefined : (plist.get(index, key) ?? undefined));
  const archiver = at(plist.top, '$archiver');
  if (archiver === undefined || plist.leaf(archiver) !== 'NSKeyedArchiver') return undefined;
  const objectsRef = at(plist.top, '$objects');
  const rootRef = at(at(plist.top, '$top'), 'root');
  const objects = objectsRef === undefined ? null : plist.array(objectsRef);
  if (!objects || rootRef === undefined) return undefined;
  const rootUid = plist.leaf(rootRef);
  const root = rootUid instanceof UID ? objects[rootUid.UID] : undefined;
  if (root === undefined || classOf(plist, objects, root) !== 'MBFile') return undefined;

  const out: Mutable<MbFile> = {};
  for (const [field, name] of NUMBER_FIELDS) {
    const ref = plist.get(root, field);
    if (ref === undefined) continue;
    if (ref === null) return undefined;
    const v = plist.leaf(ref);
    if (v === undefined || v instanceof UID) return undefined;
    const n = asNumber(v);
    if (n !== undefined) out[name] = n;
  }
  const keyRef = plist.get(root, 'EncryptionKey');
  if (keyRef !== undefined && keyRef !== null) {
    const key = dataOf(plist, objects, plist.leaf(keyRef));
    if (key === undefined) return undefined;
    out.encryptionKey = key;
  }
  return out;
}

/** An NSData by UID: the object's `NS.data`. Undefined for any other shape. */
function dataOf(plist: BinaryPlistNavigator, objects: readonly number[], uid: PlistValue | undefined): Buffer | undefined {
  if (!(uid instanceof UID)) return undefined;
  const holder = objects[uid.UID];
  if (holder === undefined) return undefined;
  const cls = classOf(plist, objects, holder);
  if (cls !== 'NSData' && cls !== 'NSMutableData') return undefined;
  const dataRef = plist.get(holder, 'NS.data');
  const data = dataRef === undefined || dataRef === null ? undefined : plist.leaf(dataRef);
  return Buffer.isBuffer(data) ? data : undefined;
}

/** An archived object's `$classname`, through its `$class` UID. */
function classOf(plist: BinaryPlistNavigator, objects: readonly number[], object: number): string | undefined {
  const classRef = plist.get(object, '$class');
  const uid = classRef === undefined || classRef === null ? undefined : plist.leaf(classRef);
  if (!(uid instanceof UID)) return undefined;
  const ref = objects[uid.UID];
  const nameRef = ref === undefined ? undefined : plist.get(ref, '$classname');
  const name = nameRef === undefined || nameRef === null ? undefined : plist.leaf(nameRef);
  return typeof name === 'string' ? name : undefined;
}
