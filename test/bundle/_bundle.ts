/** Helpers for bundle tests: unpack a bundle into members, repack a changed copy with yazl. */
import { writeFileSync } from 'node:fs';
import yazl from 'yazl';
import { openBundle } from '../../src/bundle/read.js';

export async function membersOf(path: string): Promise<Map<string, Buffer>> {
  const b = await openBundle(path);
  try {
    const out = new Map<string, Buffer>();
    for (const name of b.digests.keys()) out.set(name, await b.read(name));
    return out;
  } finally {
    await b.close();
  }
}

export async function writeZip(path: string, members: ReadonlyMap<string, Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, data] of members) zip.addBuffer(data, name, { mtime: new Date(0) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
}

/** One byte changed (in the middle, where JSON and armor both have content). */
export function flipped(data: Buffer): Buffer {
  const copy = Buffer.from(data);
  const at = Math.floor(copy.length / 2);
  copy[at] = copy[at] === 0x41 ? 0x42 : 0x41;
  return copy;
}

/**
 * What a reviewing lab runs without Tracehound (docs/bundle-format.md): unzip, check the signature of the
 * manifest with ssh-keygen, check every member's SHA-256 with sha256sum, and that no member is unlisted.
 */
export const OPENSSH_RECIPE = `set -eu
unzip -q "$BUNDLE" -d "$WORK"
cd "$WORK"
ssh-keygen -Y verify -f "$ALLOWED" -I reviewer -n tracehound -s manifest.json.sig < manifest.json
jq -r '.files | to_entries[] | "\\(.value.sha256)  \\(.key)"' manifest.json | sha256sum --quiet --strict -c -
diff <(find . -type f ! -name manifest.json ! -name manifest.json.sig | sed 's|^\\./||' | sort) <(jq -r '.files | keys[]' manifest.json | sort)
`;
