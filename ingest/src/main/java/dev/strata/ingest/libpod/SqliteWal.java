package dev.strata.ingest.libpod;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * An SQLite write-ahead log ({@code <db>-wal}, {@code https://www.sqlite.org/fileformat2.html#walformat}) applied to a
 * copy of its database's bytes, as a reader would see the database: libpod opens {@code db.sql} in WAL mode, so a
 * host imaged while Podman had the database open (or after a crash) keeps its latest commits in {@code db.sql-wal},
 * not in the main file. The 32-byte header (magic {@code 0x377f0682} / {@code 0x377f0683}: the checksums' byte order,
 * format 3007000, page size, checkpoint sequence, salts, checksum), then frames of a 24-byte header (page number,
 * database size in pages after a commit or 0, the salts, the cumulative checksum) and one page. A frame counts when
 * its salts are the header's and the checksum chain holds up to it; the log ends at the last valid commit frame (a
 * transaction whose commit frame is missing or damaged did not happen). The original bytes are never changed.
 */
public final class SqliteWal {
  private SqliteWal() {}

  /**
   * What applying a log gave: the database image (the original array when nothing applied), the valid commit frames'
   * count, the frames applied, the pages they changed (page -> 1-based frame index of its last version) and why the
   * log was not used or ended early (null when it was read to its end).
   */
  public record Applied(byte[] image, int commits, int frames, Map<Integer, Integer> pages, String stop) {}

  /** Applies {@code wal} to {@code db}; {@code db} itself is not modified. */
  public static Applied apply(byte[] db, byte[] wal) {
    if (wal == null || wal.length < 32) return new Applied(db, 0, 0, Map.of(), "no log header");
    ByteBuffer h = ByteBuffer.wrap(wal).order(ByteOrder.BIG_ENDIAN);
    int magic = h.getInt(0);
    if (magic != 0x377f0682 && magic != 0x377f0683) return new Applied(db, 0, 0, Map.of(), "not a WAL (magic)");
    boolean bigEndian = (magic & 1) == 1;
    int pageSize = h.getInt(8);
    if (pageSize == 1) pageSize = 65536; // never written so, but the main header's convention
    if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
      return new Applied(db, 0, 0, Map.of(), "bad page size " + pageSize);
    }
    int dbPageSize = db.length >= 18 ? ((db[16] & 0xff) << 8 | (db[17] & 0xff)) : 0;
    if (dbPageSize == 1) dbPageSize = 65536;
    if (dbPageSize != 0 && dbPageSize != pageSize) {
      return new Applied(db, 0, 0, Map.of(), "page size " + pageSize + " differs from the database's " + dbPageSize);
    }
    int salt1 = h.getInt(16);
    int salt2 = h.getInt(20);
    int[] sum = checksum(wal, 0, 24, bigEndian, 0, 0);
    if (sum[0] != h.getInt(24) || sum[1] != h.getInt(28)) return new Applied(db, 0, 0, Map.of(), "header checksum");
    Map<Integer, Integer> pending = new TreeMap<>();
    Map<Integer, Integer> committed = new TreeMap<>();
    int commits = 0;
    int frames = 0;
    long dbPages = -1;
    String stop = null;
    int frame = 0;
    for (int at = 32; ; at += 24 + pageSize) {
      if (at + 24 + pageSize > wal.length) {
        if (at < wal.length) stop = "a frame cut at byte " + at;
        break;
      }
      frame++;
      if (h.getInt(at + 8) != salt1 || h.getInt(at + 12) != salt2) {
        stop = "frame " + frame + " belongs to an earlier log (salts)";
        break;
      }
      sum = checksum(wal, at, 8, bigEndian, sum[0], sum[1]);
      sum = checksum(wal, at + 24, pageSize, bigEndian, sum[0], sum[1]);
      if (sum[0] != h.getInt(at + 16) || sum[1] != h.getInt(at + 20)) {
        stop = "frame " + frame + " checksum";
        break;
      }
      int page = h.getInt(at);
      if (page < 1) {
        stop = "frame " + frame + " names page " + page;
        break;
      }
      pending.put(page, frame);
      int size = h.getInt(at + 4);
      if (size != 0) { // a commit frame: the transaction's frames count from here
        committed.putAll(pending);
        pending.clear();
        commits++;
        frames = frame;
        dbPages = size & 0xffffffffL;
      }
    }
    if (!pending.isEmpty() && stop == null) stop = "the last transaction has no commit frame";
    if (commits == 0) return new Applied(db, 0, 0, Map.of(), stop == null ? "no commit" : stop);
    long size = dbPages * pageSize;
    if (size > Integer.MAX_VALUE - 8) return new Applied(db, 0, 0, Map.of(), "database size " + size);
    byte[] image = Arrays.copyOf(db, (int) size);
    for (Map.Entry<Integer, Integer> p : committed.entrySet()) {
      long dst = (long) (p.getKey() - 1) * pageSize;
      if (dst + pageSize > image.length) continue; // a page past the committed size: truncated away by that commit
      int src = 32 + (p.getValue() - 1) * (24 + pageSize) + 24;
      System.arraycopy(wal, src, image, (int) dst, pageSize);
    }
    // the header's page count and change counter are the main file's: make the size the log's last commit says
    ByteBuffer.wrap(image).order(ByteOrder.BIG_ENDIAN).putInt(28, (int) dbPages);
    ByteBuffer.wrap(image).order(ByteOrder.BIG_ENDIAN).putInt(92, ByteBuffer.wrap(image).getInt(24));
    return new Applied(image, commits, frames, committed, stop);
  }

  /** SQLite's WAL checksum over {@code n} bytes (a multiple of 8) from {@code at}, continuing {@code s0, s1}. */
  static int[] checksum(byte[] b, int at, int n, boolean bigEndian, int s0, int s1) {
    ByteBuffer w = ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    for (int i = at; i < at + n; i += 8) {
      s0 += w.getInt(i) + s1;
      s1 += w.getInt(i + 4) + s0;
    }
    return new int[] {s0, s1};
  }
}
