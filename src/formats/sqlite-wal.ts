/**
 * Replays a SQLite write-ahead log into a database image in memory, as SQLite does when it opens a WAL-mode
 * database (https://www.sqlite.org/fileformat2.html#walformat, "4.3 WAL File Format" and "4.4 Checksum
 * Algorithm"). This lets a database and its `-wal` from an encrypted backup be read without writing either
 * to disk: better-sqlite3 can deserialise an image but ignores any WAL (stack-notes §1).
 *
 * Layout: a 32-byte header (magic, format version, page size, checkpoint sequence, two salts, a checksum of
 * the first 24 bytes), then frames of a 24-byte header (page number, database size in pages for a commit
 * frame else 0, the two salts, a cumulative checksum) and one page. A frame is valid when its salts equal the
 * header's and the checksum chain verifies; SQLite reads valid frames from the start and stops at the first
 * invalid one, and only the frames up to the last commit among them count.
 *
 * Bounded: the image never exceeds the main file's pages plus the distinct pages of the committed frames,
 * whatever size a commit frame claims (a crafted 500,000-page claim would otherwise allocate gigabytes).
 */

export interface WalReplay {
  /** The database image after the replay; `db` itself (unchanged) when nothing was applied. */
  readonly image: Buffer;
  /** Frames written into the image (a page written by several transactions counts each time). */
  readonly framesApplied: number;
  /** Page numbers (1-based) whose content came from the WAL, ascending. */
  readonly pages: number[];
  /** Why the WAL was ignored, or what was left out of it (frames after the last commit). */
  readonly note?: string;
}

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LITTLE_ENDIAN = 0x377f0682;
const MAGIC_BIG_ENDIAN = 0x377f0683;
const WAL_FORMAT_VERSION = 3007000;
/** Database header: offsets 18/19 are the write/read format versions (2 = WAL, 1 = rollback journal). */
const DB_WRITE_VERSION_OFFSET = 18;
const DB_READ_VERSION_OFFSET = 19;
const DB_PAGE_SIZE_OFFSET = 16;

/**
 * Replays a SQLite WAL into a copy of the main database image, as SQLite would on open: frames whose salts
 * match the header and whose cumulative checksums verify, up to the last commit frame; the commit frame's db
 * size truncates/extends the image; then sets header bytes 18/19 to 1 so the image opens with deserialize.
 * Returns the new image and the page numbers that changed. A WAL with a bad header or no valid commit returns
 * the image unchanged and says why.
 */
export function applyWal(db: Buffer, wal: Buffer): WalReplay {
  const unchanged = (note: string): WalReplay => ({ image: db, framesApplied: 0, pages: [], note });

  if (wal.length < WAL_HEADER_BYTES) {
    return unchanged(wal.length === 0 ? 'empty WAL' : `WAL header truncated (${wal.length} of ${WAL_HEADER_BYTES} bytes)`);
  }
  const magic = wal.readUInt32BE(0);
  if (magic !== MAGIC_LITTLE_ENDIAN && magic !== MAGIC_BIG_ENDIAN) {
    return unchanged(`not a SQLite WAL (magic 0x${magic.toString(16).padStart(8, '0')} at offset 0)`);
  }
  const bigEndian = magic === MAGIC_BIG_ENDIAN;
  const version = wal.readUInt32BE(4);
  if (version !== WAL_FORMAT_VERSION) return unchanged(`unsupported WAL format version ${version} at offset 4 (expected ${WAL_FORMAT_VERSION})`);
  const pageSize = wal.readUInt32BE(8);
  if (!isValidPageSize(pageSize)) return unchanged(`invalid WAL page size ${pageSize} at offset 8`);
  const dbPageSize = databasePageSize(db);
  if (dbPageSize !== null && dbPageSize !== pageSize) {
    return unchanged(`WAL page size ${pageSize} differs from the database page size ${dbPageSize}`);
  }
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let sum = checksum(wal, 0, 24, [0, 0], bigEndian);
  if (sum[0] !== wal.readUInt32BE(24) || sum[1] !== wal.readUInt32BE(28)) {
    return unchanged('WAL header checksum mismatch at offset 24 (SQLite ignores such a WAL)');
  }

  // Pass 1: the valid prefix of frames, and the last commit frame within it.
  const frameBytes = FRAME_HEADER_BYTES + pageSize;
  const frameCount = Math.floor((wal.length - WAL_HEADER_BYTES) / frameBytes);
  let lastCommit = -1;
  let commitPages = 0;
  let validFrames = 0;
  let stop: string | null = null;
  for (let i = 0; i < frameCount; i++) {
    const at = WAL_HEADER_BYTES + i * frameBytes;
    const pgno = wal.readUInt32BE(at);
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) {
      stop = 'salt';
      break;
    }
    if (pgno === 0) {
      stop = 'page number 0';
      break;
    }
    sum = checksum(wal, at, 8, sum, bigEndian);
    sum = checksum(wal, at + FRAME_HEADER_BYTES, pageSize, sum, bigEndian);
    if (sum[0] !== wal.readUInt32BE(at + 16) || sum[1] !== wal.readUInt32BE(at + 20)) {
      stop = 'checksum';
      break;
    }
    validFrames++;
    const dbPages = wal.readUInt32BE(at + 4);
    if (dbPages !== 0) {
      lastCommit = i;
      commitPages = dbPages;
    }
  }

  if (lastCommit < 0) {
    if (frameCount === 0) return unchanged('the WAL holds no frames');
    if (validFrames === 0 && stop === 'salt') return unchanged('the WAL frames belong to an earlier WAL generation (salts differ from the header): nothing to replay');
    return unchanged(`no committed transaction in the WAL (${validFrames} valid frame(s), none a commit)`);
  }

  // The image size the inputs can justify: a hostile commit frame may claim 2^32 − 1 pages (terabytes) while
  // the file and WAL hold a few; every page past the main file's and the committed frames' reads as zeros.
  const committedPages = new Set<number>();
  for (let i = 0; i <= lastCommit; i++) committedPages.add(wal.readUInt32BE(WAL_HEADER_BYTES + i * frameBytes));
  const mainPages = Math.ceil(db.length / pageSize);
  const justifiedPages = mainPages + committedPages.size;
  const imagePages = Math.min(commitPages, justifiedPages);

  // Pass 2: copy committed pages into the image, sized to the last commit's database size.
  const image = Buffer.alloc(imagePages * pageSize);
  db.copy(image, 0, 0, Math.min(db.length, image.length));
  const pages = new Set<number>();
  let beyondImage = 0;
  for (let i = 0; i <= lastCommit; i++) {
    const at = WAL_HEADER_BYTES + i * frameBytes;
    const pgno = wal.readUInt32BE(at);
    // A page past the committed size belongs to a later truncation within the replayed range: SQLite drops it too.
    if (pgno > commitPages) continue;
    if (pgno > imagePages) {
      beyondImage++;
      continue;
    }
    wal.copy(image, (pgno - 1) * pageSize, at + FRAME_HEADER_BYTES, at + frameBytes);
    pages.add(pgno);
  }
  if (image.length > DB_READ_VERSION_OFFSET) {
    image[DB_WRITE_VERSION_OFFSET] = 1;
    image[DB_READ_VERSION_OFFSET] = 1;
  }

  const ignored = validFrames - (lastCommit + 1);
  const tornBytes = (wal.length - WAL_HEADER_BYTES) % frameBytes;
  const notes: string[] = [];
  if (imagePages < commitPages) {
    notes.push(
      `the last commit frame claims ${commitPages} pages but the database file (${mainPages}) and the committed WAL frames (${committedPages.size} distinct pages) justify at most ${justifiedPages}: image capped at ${imagePages} pages` +
        (beyondImage > 0 ? `, ${beyondImage} frame(s) for pages past it ignored` : ''),
    );
  }
  if (ignored > 0) notes.push(`${ignored} frame(s) after the last commit ignored (an uncommitted transaction)`);
  if (stop === 'checksum' || stop === 'page number 0') notes.push(`replay stopped at an invalid frame (${stop})`);
  if (tornBytes > 0) notes.push(`a partial frame of ${tornBytes} bytes at the end ignored (torn write)`);
  return {
    image,
    framesApplied: lastCommit + 1,
    pages: [...pages].sort((a, b) => a - b),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

function isValidPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/** The page size in the database header (2 bytes at offset 16; 1 means 65536), or null for an empty image. */
function databasePageSize(db: Buffer): number | null {
  if (db.length < 100) return null;
  const raw = db.readUInt16BE(DB_PAGE_SIZE_OFFSET);
  return raw === 1 ? 65536 : raw;
}

/**
 * SQLite's WAL checksum (fileformat2 §4.4): over 32-bit words taken in pairs, s0 += x[i] + s1, s1 += x[i+1] + s0,
 * modulo 2^32. Words are big-endian when the magic's low bit is set, little-endian otherwise.
 */
function checksum(buf: Buffer, start: number, length: number, seed: readonly [number, number], bigEndian: boolean): [number, number] {
  let s0 = seed[0];
  let s1 = seed[1];
  const end = start + length;
  if (bigEndian) {
    for (let i = start; i < end; i += 8) {
      s0 = (s0 + buf.readUInt32BE(i) + s1) >>> 0;
      s1 = (s1 + buf.readUInt32BE(i + 4) + s0) >>> 0;
    }
  } else {
    for (let i = start; i < end; i += 8) {
      s0 = (s0 + buf.readUInt32LE(i) + s1) >>> 0;
      s1 = (s1 + buf.readUInt32LE(i + 4) + s0) >>> 0;
    }
  }
  return [s0, s1];
}
