/**
 * `dumpsys adb` (reference-spec §10.3): the adb state, and above all the computers the phone trusts for USB
 * debugging. Every trusted key lets its computer install apps and read data over adb without the owner
 * touching the phone again.
 *
 * The dump is an indented `key=value` tree (`debugging_manager={`, `}`). Two values run over several lines:
 * `user_keys` (the adb_keys file: `<base64 key> <user@host>` per line) and `keystore` (the adb_keys store, as
 * XML on older Android, as binary ABX on newer, which is kept but not decoded); they end at a blank line, a `}`
 * or the next `name=` line. The key's fingerprint is the MD5 of the decoded key, as `adb` shows it.
 */
import { createHash } from 'node:crypto';

export interface AdbKey {
  /** The text after the key (`user@host`). */
  readonly user: string;
  /** `F0:A1:…` (MD5 of the decoded key), "" when the key is not valid base64. */
  readonly fingerprint: string;
  /** The base64 key as printed. */
  readonly key: string;
  /** From the XML keystore: the last connection, Unix milliseconds (device clock). */
  readonly last_connected?: number;
}

export type AdbTree = { [key: string]: string | AdbTree };

export interface AdbState {
  /** The `debugging_manager` values other than the keys (`connected_to_adb`, `last_key_received`, …). */
  readonly values: Readonly<Record<string, string>>;
  readonly user_keys: readonly AdbKey[];
  /** Keys from an XML keystore. */
  readonly keystore: readonly AdbKey[];
  readonly keystore_format: 'xml' | 'abx' | 'none' | 'other';
}

export const MAX_ADB_LINES = 100_000;
const MULTILINE = new Set(['user_keys', 'keystore']);
const NAME = /^[a-z_][a-z0-9_]*=/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The tree of the dump, values as text (multi-line ones joined with `\n`); null when the service is absent. */
export function decodeAdbTree(text: string): AdbTree | null {
  if (text.includes("Can't find service: adb")) return null;
  const root: AdbTree = {};
  const stack: AdbTree[] = [root];
  let open: { into: AdbTree; key: string; lines: string[] } | null = null;
  const closeOpen = () => {
    if (open) open.into[open.key] = open.lines.join('\n');
    open = null;
  };
  let seenBrace = false;
  for (const raw of text.split('\n').slice(0, MAX_ADB_LINES)) {
    const t = raw.replace(/\r$/, '').trim();
    if (open) {
      if (t !== '' && t !== '}' && !NAME.test(t)) {
        (open as { lines: string[] }).lines.push(t);
        continue;
      }
      closeOpen();
    }
    if (!seenBrace) {
      if (t === '{') seenBrace = true;
      continue;
    }
    if (t === '') continue;
    const top = stack[stack.length - 1]!;
    if (t === '}') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const eq = t.indexOf('=');
    if (eq <= 0) continue;
    const key = t.slice(0, eq);
    const value = t.slice(eq + 1);
    if (value === '{') {
      const child: AdbTree = {};
      top[key] = child;
      if (stack.length < 64) stack.push(child);
      continue;
    }
    if (MULTILINE.has(key)) {
      open = { into: top, key, lines: value === '' ? [] : [value] };
      continue;
    }
    top[key] = value;
  }
  closeOpen();
  return root;
}

export function decodeAdbState(text: string): AdbState | null {
  const tree = decodeAdbTree(text);
  if (!tree) return null;
  const dm = tree.debugging_manager;
  if (typeof dm !== 'object') return null;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(dm)) if (typeof v === 'string' && !MULTILINE.has(k)) values[k] = v;
  const userKeys = typeof dm.user_keys === 'string' ? dm.user_keys.split('\n').filter((l) => l.trim() !== '').map((l) => keyOf(l)) : [];
  // The keystore sits in debugging_manager or, on some versions, at the top level.
  const store = typeof dm.keystore === 'string' ? dm.keystore : typeof tree.keystore === 'string' ? tree.keystore : null;
  let keystore: AdbKey[] = [];
  let format: AdbState['keystore_format'] = 'none';
  if (store !== null) {
    if (store.startsWith('<?xml')) {
      format = 'xml';
      keystore = xmlKeys(store);
    } else format = store.startsWith('ABX') ? 'abx' : 'other';
  }
  return { values, user_keys: userKeys, keystore, keystore_format: format };
}

/** `<base64> user@host` → key, user and fingerprint. */
export function keyOf(line: string, lastConnected?: number): AdbKey {
  const t = line.trim();
  const space = t.indexOf(' ');
  const key = space === -1 ? t : t.slice(0, space);
  const user = space === -1 ? '' : t.slice(space + 1);
  return { user, fingerprint: adbFingerprint(key), key, ...(lastConnected !== undefined ? { last_connected: lastConnected } : {}) };
}

/** MD5 of the decoded key as `AA:BB:…`; "" for text that is not base64. */
export function adbFingerprint(key: string): string {
  if (key === '' || !BASE64.test(key)) return '';
  const hex = createHash('md5').update(Buffer.from(key, 'base64')).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

export function isValidAdbKey(key: string): boolean {
  return key !== '' && BASE64.test(key);
}

const ADB_KEY = /<adbKey\b([^>]{0,20000})>/g;

function xmlKeys(xml: string): AdbKey[] {
  const out: AdbKey[] = [];
  for (const m of xml.matchAll(ADB_KEY)) {
    const attrs = m[1]!;
    const key = /\bkey="([^"]*)"/.exec(attrs)?.[1];
    if (key === undefined) continue;
    const last = /\blastConnection="(\d{1,16})"/.exec(attrs)?.[1];
    out.push(keyOf(unescapeXml(key), last !== undefined ? Number(last) : undefined));
  }
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
