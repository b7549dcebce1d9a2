package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code libpod_state_wal}: the write-ahead log of Podman's SQLite state database, {@code db.sql-wal} beside {@code
 * db.sql} (libpod opens it in WAL mode: commits since the last checkpoint are only there). Content and path: the WAL
 * magic ({@code 0x377f0682} / {@code 0x377f0683}) and the name {@code db.sql-wal} (the magic alone is any SQLite
 * database's log: WEAK, the path decides). The collector preserves it (manifest, no chunks) and reads it with its
 * database ({@code dev.strata.ingest.libpod.SqliteWal}): the objects derived from {@code db.sql} are those of the
 * database as SQLite would see it, log applied, and name the log's SHA-256.
 */
public final class LibpodStateWalRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "libpod_state_wal";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)db\\.sql-wal");

  public LibpodStateWalRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  /** Whether {@code b} starts with an SQLite write-ahead log header's magic. */
  public static boolean hasMagic(byte[] b) {
    return b != null && b.length >= 4 && (b[0] & 0xff) == 0x37 && (b[1] & 0xff) == 0x7f && (b[2] & 0xff) == 0x06
        && ((b[3] & 0xff) == 0x82 || (b[3] & 0xff) == 0x83);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    return hasMagic(sample.bytes()) ? ContentMatch.weak(Framing.WHOLE, "SQLite write-ahead log")
        : ContentMatch.none("no SQLite write-ahead log magic");
  }
}
