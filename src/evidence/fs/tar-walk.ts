/**
 * One pass over tar headers and data. node-tar decodes a header block (`Header`: ustar prefix, base-256
 * sizes, checksum) and a pax body (`Pax.parse`); the walking is ours, because node-tar's `Parser` does not
 * say where a member's data starts, and a plain tar is then read by offset instead of streamed again.
 * Its `Unpack`/extract is never used: nothing here writes to disk.
 *
 * Damage never throws: the walk stops and returns one line saying where it broke; the members before it
 * were already handed to the visitor.
 */
import { Header, Pax, type HeaderData } from 'tar';
import { errorMessage } from '../../errors.js';
import { readFully, type ByteSource } from './byte-source.js';
import { archiveLimits } from './limits.js';

const BLOCK = 512;

export interface TarMember {
  /** The name as stored (pax `path`, GNU long name, or ustar prefix + name), not yet checked. */
  readonly name: string;
  /** node-tar's name for the type flag: File, OldFile, ContiguousFile, Directory, SymbolicLink, Link, SparseFile, … */
  readonly type: string;
  /** Bytes of data stored in the archive after the header. */
  readonly size: number;
  /** Offset of the data in the uncompressed tar. */
  readonly dataOffset: number;
  readonly linkpath?: string;
  readonly mode?: number;
  readonly mtime?: Date;
}

/** Receives a member's data in order; `end` is called once all of it passed (not when the walk broke inside it). */
export interface DataSink {
  write(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
  /** The walk broke inside this member's data; resolves once the consumers have seen it. */
  fail(reason: string): Promise<void> | void;
}

export interface TarVisitor {
  /** Called at each member header: stream its data to a sink, skip it, or stop the walk. */
  member(member: TarMember): Promise<DataSink | 'skip' | 'stop'> | DataSink | 'skip' | 'stop';
  /** Called once a member's data is wholly present (read or skipped): a member cut by damage never gets here. */
  complete?(member: TarMember): void;
}

/** `damage` is null for a whole archive, or for a walk the visitor stopped. */
export interface WalkEnd {
  readonly damage: string | null;
  readonly stopped: boolean;
}

export async function walkTar(source: ByteSource, visitor: TarVisitor): Promise<WalkEnd> {
  try {
    return await walk(source, visitor);
  } catch (err) {
    // A source error: zlib on damaged gzip data, a gzip bomb cut by its limit.
    return { damage: `broken after ${source.position} bytes of tar data (${errorMessage(err)})`, stopped: false };
  }
}

async function walk(source: ByteSource, visitor: TarVisitor): Promise<WalkEnd> {
  let ex: HeaderData | undefined;
  let gex: HeaderData | undefined;
  let zeroBlocks = 0;
  let members = 0;
  for (;;) {
    const at = source.position;
    const block = await readFully(source, BLOCK);
    if (block.length === 0) {
      if (zeroBlocks > 0) return whole();
      return broken(members === 0 && at === 0 ? 'empty: no tar header at all' : `ends at byte ${at} without the end-of-archive marker (truncated?)`);
    }
    if (block.length < BLOCK) return broken(`truncated inside a header at byte ${at}`);
    if (isZero(block)) {
      if (++zeroBlocks === 2) return whole();
      continue;
    }
    zeroBlocks = 0;
    let header: Header;
    try {
      header = new Header(block, 0, ex, gex);
    } catch {
      // node-tar throws on a malformed base-256 number: the same verdict as a bad checksum.
      return broken(notAHeader(at));
    }
    if (!header.cksumValid) return broken(notAHeader(at));
    const size = header.size ?? 0;
    const type = header.type;

    if (type === 'ExtendedHeader' || type === 'GlobalExtendedHeader' || type === 'NextFileHasLongPath' || type === 'NextFileHasLongLinkpath' || type === 'OldGnuLongPath') {
      if (size > archiveLimits.maxTarMetaHeaderBytes) {
        return broken(`a ${size}-byte ${type} header at byte ${at}, above the ${archiveLimits.maxTarMetaHeaderBytes}-byte limit: stopped`);
      }
      const body = await readFully(source, size);
      if (body.length < size || (await source.skip(padding(size))) < padding(size)) return broken(`truncated inside the ${type} header at byte ${at}`);
      const text = body.toString('utf8');
      if (type === 'ExtendedHeader') ex = Pax.parse(text, ex, false);
      else if (type === 'GlobalExtendedHeader') gex = Pax.parse(text, gex, true);
      else if (type === 'NextFileHasLongLinkpath') ex = { ...ex, linkpath: text.replace(/\0.*/s, '') };
      else ex = { ...ex, path: text.replace(/\0.*/s, '') };
      continue;
    }
    ex = undefined;

    // Old GNU sparse members carry extension blocks after the header while the isextended byte says so.
    if (type === 'SparseFile' && block[482] !== 0) {
      for (;;) {
        const ext = await readFully(source, BLOCK);
        if (ext.length < BLOCK) return broken(`truncated inside a sparse header at byte ${at}`);
        if (ext[504] === 0) break;
      }
    }

    const member: TarMember = {
      name: header.path ?? '',
      type,
      size,
      dataOffset: source.position,
      ...(header.linkpath ? { linkpath: header.linkpath } : {}),
      ...(header.mode !== undefined ? { mode: header.mode & 0o7777 } : {}),
      ...(header.mtime ? { mtime: header.mtime } : {}),
    };
    members++;
    const action = await visitor.member(member);
    if (action === 'stop') return { damage: null, stopped: true };
    if (action === 'skip') {
      const skipped = await source.skip(size);
      if (skipped < size) return broken(cutMember(member, skipped, source.position));
    } else {
      let left = size;
      while (left > 0) {
        let part: Buffer;
        try {
          part = await source.read(Math.min(left, 1024 * 1024));
        } catch (err) {
          // The consumer is waiting on this member's stream: it must hear of the break before the walk ends.
          await action.fail(`broken after ${source.position} bytes of tar data (${errorMessage(err)})`);
          throw err;
        }
        if (part.length === 0) {
          const reason = cutMember(member, size - left, source.position);
          await action.fail(reason);
          return broken(reason);
        }
        left -= part.length;
        await action.write(part);
      }
      await action.end();
    }
    visitor.complete?.(member);
    if ((await source.skip(padding(size))) < padding(size)) return broken(`ends at byte ${source.position} inside the padding after ${JSON.stringify(member.name)}`);
  }
}

function whole(): WalkEnd {
  return { damage: null, stopped: false };
}

function broken(damage: string): WalkEnd {
  return { damage, stopped: false };
}

function notAHeader(at: number): string {
  return `bad header checksum at byte ${at}: not a tar header (damaged archive?)`;
}

function cutMember(member: TarMember, got: number, at: number): string {
  return `truncated at byte ${at}: ${JSON.stringify(member.name)} has ${got} of its ${member.size} bytes`;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}
