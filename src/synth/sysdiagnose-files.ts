/**
 * One file of a generated sysdiagnose, by its path inside the sysdiagnose folder
 * (`system_logs.logarchive/Extra/shutdown.log`, `ps.txt`). The content generators (shutdown logs, process lists,
 * installation logs, profiles, crash reports) each return a list of these; the archive writer packs them.
 */
export interface SysdiagnoseFile {
  readonly path: string;
  readonly data: Buffer | string;
  /** The member's modification time; the collection time when absent. */
  readonly mtime?: Date;
}
