/**
 * The Source contract: one acquisition packed as a folder, a zip, a tar and a tar.gz gives the same answers
 * through every method a parser uses. Refs differ only in their outer layer (the archive), which is checked
 * on its own. The iOS backup is a copy of the MVT test backup (zip and tar.gz with it below a `<udid>/`
 * folder, as Finder and zip tools pack it; the tar at the archive's root); the dump is a small generated one
 * with the phone's own link (`var` → `private/var`) and a link out of the dump.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../src/app/check.js';
import { LINK_OUTSIDE } from '../../src/evidence/contained.js';
import { openAcquisition } from '../../src/evidence/detect.js';
import { describeFile, refKey, type EvidenceFile, type FileSpec, type Source } from '../../src/evidence/source.js';
import type { InputLog } from '../../src/evidence/input-log.js';
import { packAcquisition, rawTar, rawZip, writeTree, type PackedKind } from '../fixtures/archives.js';
import { tempDir } from '../fixtures/ios-backup.js';
import { mvtIosBackup, mvtTestStix } from '../helpers/data.js';

type Packing = 'folder' | PackedKind;
const PACKINGS: readonly Packing[] = ['folder', 'zip', 'tar', 'tar.gz'];
const UDID = '00008030-001A2B3C4D5E802E';
/** Where each packing puts the acquisition inside the archive. */
const LEADING: Record<PackedKind, string | undefined> = { zip: UDID, tar: undefined, 'tar.gz': UDID };

const SMS = { by: 'backup', domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' } as const;
const LID_FILE_ID = 'e794f6ffcc3c222535f47684a63d5178da3c4500';

/** Every way a backup artifact addresses a file, with one spec that names listed-but-absent files. */
const BACKUP_SPECS: readonly FileSpec[] = [
  SMS,
  { by: 'backup-any-domain', relativePath: 'Library/TCC/TCC.db' },
  { by: 'backup-any-domain', relativePath: 'Library/*/BrowserState.db' },
  { by: 'backup-domain-glob', domain: 'AppDomainGroup-*', relativePath: '*.sqlite' },
  { by: 'backup-file-id', fileId: '3d0d7e5fb2ce288813306e4d4636395e047a3d28' },
  { by: 'backup-file-id', fileId: LID_FILE_ID, unlisted: { domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared', relativePath: 'LID.sqlite' } },
  { by: 'container', name: 'Info.plist' },
  { by: 'container', name: 'Status.plist' },
  { by: 'backup-domain-glob', domain: 'HomeDomain', relativePath: 'Library/Preferences/*' },
];

const DUMP_SMS = 'private/var/mobile/Library/SMS/sms.db';
const DUMP_SPECS: readonly FileSpec[] = [
  { by: 'device-glob', pattern: DUMP_SMS },
  { by: 'device-glob', pattern: 'var/mobile/Library/TCC/TCC.db' },
  { by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite' },
  { by: 'device-glob', pattern: 'private/var/mobile/Library/Safari/BrowserState.db' },
  { by: 'device-glob', pattern: 'private/var/mobile/Library/*/nothing-here.db' },
];

/** The MVT backup's stored files at their device paths, `var` as the phone's link, Safari a link out of the dump. */
function writeDump(base: string): string {
  const root = join(base, 'dump');
  const stored = (id: string) => readFileSync(join(mvtIosBackup(), id.slice(0, 2), id));
  const files: Record<string, Buffer> = {
    [DUMP_SMS]: stored('3d0d7e5fb2ce288813306e4d4636395e047a3d28'),
    'private/var/mobile/Library/TCC/TCC.db': stored('64d0019cb3d46bfc8cce545a8ba54b93e7ea9347'),
    'private/var/mobile/Containers/Shared/AppGroup/4A3C5D8E-0000-4000-8000-00000000000A/ChatStorage.sqlite': stored('7c7fba66680ef796b916b067077cc246adacf01d'),
    'private/var/wireless/Library/Databases/DataUsage.sqlite': stored('0d609c54856a9bb2d56729df1d68f2958a88426b'),
  };
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
  }
  symlinkSync('private/var', join(root, 'var'));
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'BrowserState.db'), 'not the phone’s');
  symlinkSync('../../../../../outside', join(root, 'private/var/mobile/Library/Safari'));
  return root;
}

interface Opened {
  readonly path: string;
  readonly source: Source;
  readonly inputs: InputLog;
}

async function openAll(folder: string, base: string, name: string): Promise<Record<Packing, Opened>> {
  const out = {} as Record<Packing, Opened>;
  for (const packing of PACKINGS) {
    const path = packing === 'folder' ? folder : await packAcquisition(folder, packing, join(base, `${name}.${packing}`), LEADING[packing]);
    const { source, inputs } = await openAcquisition(path);
    out[packing] = { path, source, inputs };
  }
  return out;
}

/** What a file is, without the layer that says where the acquisition was read from. */
function inside(file: EvidenceFile) {
  const { ref, times, mode, ...rest } = file;
  return { key: refKey(ref), storedPath: ref.storedPath, backup: ref.backup, ...rest, hasTimes: times !== undefined, hasMode: mode !== undefined };
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each([
  ['an iOS backup (the MVT test backup)', 'backup', BACKUP_SPECS] as const,
  ['an iOS filesystem dump', 'dump', DUMP_SPECS] as const,
])('the Source contract over %s as a folder, a zip, a tar and a tar.gz', (_title, name, specs) => {
  let opened: Record<Packing, Opened>;
  let base: string;

  beforeAll(async () => {
    base = realpathSync(tempDir(`contract-${name}`));
    const folder = name === 'backup' ? join(base, UDID) : writeDump(base);
    if (name === 'backup') cpSync(mvtIosBackup(), folder, { recursive: true });
    opened = await openAll(folder, base, name);
  }, 60_000);

  afterAll(async () => {
    for (const o of Object.values(opened ?? {})) await o.source.close();
  });

  it.each(PACKINGS)('%s: describe() gives the same acquisition; an archive is its outer layer', (packing) => {
    const { root, container, ...info } = opened[packing].source.describe();
    const { root: folderRoot, container: none, ...folderInfo } = opened.folder.source.describe();
    expect(info).toEqual(folderInfo);
    expect(none).toBeUndefined();
    expect(folderRoot).toBe(opened.folder.path);
    expect(root).toBe(opened[packing].path);
    if (packing !== 'folder') expect(container).toEqual({ container: packing, archive: opened[packing].path, prefix: LEADING[packing] ?? '' });
    if (name === 'backup') expect(info.device?.udid).toBeDefined();
  });

  it.each(PACKINGS)('%s: find and missing give the same files for every kind of FileSpec', async (packing) => {
    for (const spec of specs) {
      const found = (await opened[packing].source.find(spec)).map(inside);
      const missing = (await opened[packing].source.missing(spec)).map(inside);
      expect({ spec, found, missing }).toEqual({
        spec,
        found: (await opened.folder.source.find(spec)).map(inside),
        missing: (await opened.folder.source.missing(spec)).map(inside),
      });
    }
  });

  it('the specs reach real files: found, listed-but-absent, refused and unlisted ones', async () => {
    const src = opened.folder.source;
    if (name === 'backup') {
      expect((await src.find(SMS)).map((f) => f.ref.storedPath)).toEqual(['3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28']);
      expect((await src.find(BACKUP_SPECS[5]!)).map((f) => f.ref.backup?.relativePath)).toEqual(['LID.sqlite']);
      expect((await src.find({ by: 'container', name: 'Status.plist' }))).toEqual([]);
      expect((await src.missing(BACKUP_SPECS[8]!)).length).toBeGreaterThan(10);
    } else {
      expect((await src.find(DUMP_SPECS[1]!)).map((f) => f.devicePath)).toEqual(['/var/mobile/Library/TCC/TCC.db']);
      expect((await src.find(DUMP_SPECS[2]!))).toHaveLength(1);
      expect((await src.missing(DUMP_SPECS[3]!)).map((f) => f.refused)).toEqual([LINK_OUTSIDE]);
    }
  });

  it.each(PACKINGS)('%s: read gives the same bytes and openSqlite the same rows', async (packing) => {
    const spec = specs[0]!;
    const [file] = await opened[packing].source.find(spec);
    const [reference] = await opened.folder.source.find(spec);
    expect(sha(await opened[packing].source.read(file!))).toBe(sha(await opened.folder.source.read(reference!)));
    const rows = async (source: Source, f: EvidenceFile) => {
      const db = await source.openSqlite(f);
      try {
        return db.db.prepare('SELECT * FROM message ORDER BY ROWID').all();
      } finally {
        db.close();
      }
    };
    expect(await rows(opened[packing].source, file!)).toEqual(await rows(opened.folder.source, reference!));
    expect(await rows(opened[packing].source, file!)).toHaveLength(1);
  });

  it.each(PACKINGS)('%s: Manifest.db rows are the same (backups)', (packing) => {
    const rows = (source: Source) => [...(source.manifestRows?.() ?? [])];
    expect(rows(opened[packing].source)).toEqual(rows(opened.folder.source));
    if (name === 'backup') expect(rows(opened.folder.source)).toHaveLength(3721);
  });

  it.each(PACKINGS)('%s: the input log holds the same labels, hashes and sizes; paths name the archive', (packing) => {
    const log = (o: Opened) => o.inputs.all().map(({ label, sha256, bytes }) => ({ label, sha256, bytes })).sort((a, b) => a.label.localeCompare(b.label));
    expect(log(opened[packing])).toEqual(log(opened.folder));
    expect(log(opened.folder).length).toBeGreaterThanOrEqual(1); // what the tests above read
    for (const record of opened[packing].inputs.all()) expect(record.path.startsWith(`${opened[packing].path}/`)).toBe(true);
  });

  it.each(PACKINGS)('%s: nothing to note about the container; a file is described with its archive', async (packing) => {
    expect(opened[packing].source.notes?.()).toEqual([]);
    const [file] = await opened[packing].source.find(specs[0]!);
    const lead = LEADING[packing as PackedKind];
    if (packing === 'folder') expect(describeFile(file!)).not.toContain(' inside ');
    else expect(describeFile(file!)).toContain(`${lead ? `${lead}/` : ''}${file!.ref.storedPath} inside ${opened[packing].path}`);
  });
});

describe('check() on the MVT test backup as a folder, a zip, a tar and a tar.gz', () => {
  const results = {} as Record<Packing, CheckResult>;

  beforeAll(async () => {
    const base = realpathSync(tempDir('contract-check'));
    for (const packing of PACKINGS) {
      const target = packing === 'folder' ? mvtIosBackup() : await packAcquisition(mvtIosBackup(), packing, join(base, `backup.${packing}`), LEADING[packing]);
      results[packing] = await check({ target, iocs: [mvtTestStix()], userIocDir: null });
    }
  }, 120_000);

  /** Findings without the acquisition root and the archive layer of their refs. */
  const findings = (r: CheckResult) =>
    r.findings.map((f) => {
      const { root: _root, container: _container, ...ref } = f.evidence.ref;
      return { ...f, evidence: { ...f.evidence, ref } };
    });
  const counts = (r: CheckResult) => Object.fromEntries(r.coverage.map((c) => [c.artifact, [c.state, c.records]]));

  it.each(['zip', 'tar', 'tar.gz'] as const)('%s: the same five findings as the folder', (packing) => {
    expect(findings(results[packing])).toEqual(findings(results.folder));
    expect(results.folder.findings).toHaveLength(5);
  });

  it.each(['zip', 'tar', 'tar.gz'] as const)('%s: the same state and record count for every artifact', (packing) => {
    expect(counts(results[packing])).toEqual(counts(results.folder));
    expect(counts(results.folder)['ios.manifest']).toEqual(['parsed', 3721]);
    // Six: one chat session is named only by LID.sqlite, which Manifest.db does not list.
    expect(counts(results.folder)['ios.whatsapp']).toEqual(['parsed', 6]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Filesystem dump layouts (docs/dev/file-systems.md, "Filesystem dump layouts"): every layout, in every packing,
// is the same device tree.

/** The device's tree: data volume (`private/var/…`) and system volume files. */
const DEVICE_TREE: Record<string, string | { dir: true }> = {
  'private/var/mobile/Library/SMS/sms.db': 'sms',
  'private/var/mobile/Containers/Shared/AppGroup/4A3C5D8E-0000-4000-8000-00000000000A/ChatStorage.sqlite': 'chat',
  'private/var/mobile/Containers/Shared/AppGroup/4A3C5D8E-0000-4000-8000-00000000000B/Library/x.plist': 'x',
  'private/var/wireless/Library/Databases/DataUsage.sqlite': 'datausage',
  'private/var/tmp/empty': { dir: true },
  'usr/libexec/BackupAgent': 'apple',
  'System/Library/CoreServices/SystemVersion.plist': 'version',
};

/** The same tree stored one folder per partition, with the extraction tool's own files beside them. */
function partitionTree(): Record<string, string | { dir: true }> {
  const out: Record<string, string | { dir: true }> = { 'extra/KeychainDump/backup_keychain_v2.plist': 'tool', 'metadata1/metadata.msgpack': 'tool' };
  for (const [path, node] of Object.entries(DEVICE_TREE)) {
    out[path.startsWith('private/var/') ? `filesystem2/${path.slice('private/var/'.length)}` : `filesystem1/${path}`] = node;
  }
  return out;
}

type Layout = 'tree' | 'device-name folder' | 'partitions' | 'absolute names';
const LAYOUTS: readonly Layout[] = ['tree', 'device-name folder', 'partitions', 'absolute names'];
const DEVICE_NAME = 'iPhone of Alex';

/** The acquisitions of one layout: a folder (none for absolute names, which only archives can hold) and its archives. */
async function packLayout(base: string, layout: Layout): Promise<[string, string][]> {
  const dir = join(base, layout.replace(/ /g, '-'));
  mkdirSync(dir);
  if (layout === 'absolute names') {
    const names = Object.entries(DEVICE_TREE);
    const tarPath = join(dir, 'dump.tar');
    writeFileSync(tarPath, rawTar(names.map(([p, node]) => (typeof node === 'string' ? { name: `/${p}`, data: node } : { name: `/${p}/`, type: '5' as const }))));
    const zipPath = join(dir, 'dump.zip');
    writeFileSync(zipPath, await rawZip(names.map(([p, node]) => (typeof node === 'string' ? { name: `/${p}`, data: node } : { name: `/${p}/`, directory: true }))));
    return [
      ['tar', tarPath],
      ['zip', zipPath],
    ];
  }
  const folder = join(dir, 'dump');
  writeTree(layout === 'device-name folder' ? join(folder, DEVICE_NAME) : folder, layout === 'partitions' ? partitionTree() : DEVICE_TREE);
  const out: [string, string][] = [['folder', folder]];
  for (const kind of ['zip', 'tar', 'tar.gz'] as const) out.push([kind, await packAcquisition(folder, kind, join(dir, `dump.${kind}`))]);
  return out;
}

/** What a parser sees of a dump, with nothing that names where it is stored. */
async function deviceView(source: Source) {
  const listing: string[] = [];
  for await (const e of source.listing!()) listing.push(`${e.type} /${e.path}`);
  const groups = await source.find({ by: 'device-glob', pattern: 'private/var/mobile/Containers/Shared/AppGroup/*', folders: true });
  const [sms] = await source.find({ by: 'device-glob', pattern: 'private/var/mobile/Library/SMS/sms.db' });
  return {
    listing: listing.sort(),
    fileNames: [...(await source.fileNames!())].sort(),
    groups: groups.map((g) => g.devicePath),
    sms: sms ? (await source.read(sms)).toString() : null,
    smsPath: sms?.devicePath,
    notes: source.notes?.(),
  };
}

describe('filesystem dump layouts: the same device tree from every layout and packing', () => {
  let base: string;
  let reference: Awaited<ReturnType<typeof deviceView>>;
  const views = new Map<string, { view: Awaited<ReturnType<typeof deviceView>>; storedSms: string | undefined; note: string | undefined }>();

  beforeAll(async () => {
    base = realpathSync(tempDir('layouts'));
    for (const layout of LAYOUTS) {
      for (const [packing, path] of await packLayout(base, layout)) {
        const { source, note } = await openAcquisition(path);
        try {
          expect(source.kind).toBe('ios-fs');
          const [sms] = await source.find({ by: 'device-glob', pattern: 'private/var/mobile/Library/SMS/sms.db' });
          views.set(`${layout} as ${packing}`, { view: await deviceView(source), storedSms: sms?.ref.storedPath, note });
        } finally {
          await source.close();
        }
      }
    }
    reference = views.get('tree as folder')!.view;
  }, 120_000);

  it('the reference: every folder and file once, device paths, the data volume\'s folders globbed', () => {
    expect(reference.listing).toContain('file /usr/libexec/BackupAgent');
    expect(reference.listing).toContain('directory /private/var/tmp/empty');
    expect(reference.listing).toHaveLength(27); // 6 files, 21 folders
    expect(reference.fileNames).toEqual(['BackupAgent', 'ChatStorage.sqlite', 'DataUsage.sqlite', 'SystemVersion.plist', 'sms.db', 'x.plist']);
    expect(reference.groups).toEqual([
      '/private/var/mobile/Containers/Shared/AppGroup/4A3C5D8E-0000-4000-8000-00000000000A',
      '/private/var/mobile/Containers/Shared/AppGroup/4A3C5D8E-0000-4000-8000-00000000000B',
    ]);
    expect(reference.sms).toBe('sms');
    expect(reference.notes).toEqual([]);
  });

  it.each([
    ...['folder', 'zip', 'tar', 'tar.gz'].flatMap((p) => [`tree as ${p}`, `device-name folder as ${p}`, `partitions as ${p}`]),
    'absolute names as tar',
    'absolute names as zip',
  ])('%s: the same listing, file names, folder glob and bytes', (name) => {
    expect(views.get(name)?.view).toEqual(reference);
  });

  it('refs keep the stored path: filesystem2/… for a partition dump, below the device-name folder in an archive', () => {
    expect(views.get('partitions as tar')!.storedSms).toBe('filesystem2/mobile/Library/SMS/sms.db');
    expect(views.get('partitions as folder')!.storedSms).toBe('filesystem2/mobile/Library/SMS/sms.db');
    expect(views.get('absolute names as zip')!.storedSms).toBe('private/var/mobile/Library/SMS/sms.db');
    expect(views.get('device-name folder as tar')!.note).toBe(`found an iOS filesystem dump in folder ${DEVICE_NAME} of ${join(base, 'device-name-folder', 'dump.tar')}`);
    expect(views.get('device-name folder as folder')!.note).toBe(`found an iOS filesystem dump in sub-folder ${DEVICE_NAME}`);
  });
});
