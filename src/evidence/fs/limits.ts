/**
 * Every bound this layer puts on a container, in one object. Mutable so tests can lower a bound and check
 * behaviour exactly at it (restore it afterwards); nothing else should change it.
 */
export const archiveLimits = {
  /** Members indexed per archive; the index is metadata only (~a few hundred bytes a member). Past it: damage, the rest unlisted. */
  maxMembers: 2_000_000,
  /**
   * Sum of the uncompressed sizes of an archive's members. A full-filesystem dump of a phone is tens to a few
   * hundred GiB; 1 TiB leaves room for that and stops a zip or gzip bomb long before the disk or the clock.
   */
  maxTotalUncompressedBytes: 2 ** 40,
  /**
   * Uncompressed : compressed, per zip member and for a whole archive (zip: the declared sizes against the
   * file's size; tar.gz: bytes decompressed against the file's size). Deflate cannot exceed about 1032:1, so
   * honest evidence (even a file of zeros) stays under this; above it the sizes lie or members overlap.
   */
  maxCompressionRatio: 1_100,
  /** A zip symlink's target is its content; longer than PATH_MAX is not a path. */
  maxLinkTargetBytes: 4096,
  /** A pax or GNU long-name header's body; real ones are a few hundred bytes. */
  maxTarMetaHeaderBytes: 1024 * 1024,
};

export type ArchiveLimits = typeof archiveLimits;
