package dev.strata.ingest;

import java.util.Locale;

/** Why a path of the evidence was not published. A bounded set: reports and dashboards group by {@link #code()}. */
public enum SkipReason {
  /** A symlink that climbs above the evidence root and does not resolve to a file inside it. */
  SYMLINK_ESCAPE,
  /** A symlink chain that loops or exceeds 40 hops. */
  SYMLINK_LOOP,
  /** A symlink whose target (resolved inside the root) does not exist. */
  SYMLINK_BROKEN,
  /** A symlink to a directory: not followed (its target, when inside the root, is walked directly). */
  SYMLINK_DIRECTORY,
  /** Device, fifo, socket or anything that is not a regular file or directory. */
  SPECIAL_FILE,
  /** Could not be listed or read (permissions, I/O error). */
  UNREADABLE,
  /** No recognizer accepts the content (details say whether a path rule matched). */
  NOT_RECOGNIZED,
  /**
   * Gzip content larger than max_content_bytes or expanding by more than max_gzip_ratio; an archive member past
   * archive_max_bytes or archive_max_ratio (the archive's expansion stops there).
   */
  TOO_LARGE_DECOMPRESSED,
  /** Gzip magic but the stream is corrupt or truncated. */
  CORRUPT_GZIP,
  /** Zero bytes of content. */
  EMPTY,
  /** The file changed between pass 1 (hash) and pass 2 (publish); chunks published before the change stay. */
  CHANGED_DURING_COLLECTION,
  /** An archive member that is a symlink or hard link: never created, never followed (the detail names its target). */
  ARCHIVE_LINK,
  /** An archive member whose name is absolute or climbs with '..': not expanded. */
  ARCHIVE_UNSAFE_NAME,
  /** An encrypted zip member: reported, not decrypted. */
  ARCHIVE_ENCRYPTED,
  /** An archive member whose name the archive already held (the first copy is collected) or that clashes with one. */
  ARCHIVE_DUPLICATE,
  /** An archive member cut short or unreadable (a truncated or damaged archive): the members before it are kept. */
  ARCHIVE_CORRUPT,
  /** An archive nested deeper than archive_max_depth: preserved inside its parent, not expanded. */
  ARCHIVE_TOO_DEEP;

  /** lower_snake_case code, e.g. {@code symlink_escape}. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }
}
