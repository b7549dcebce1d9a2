package dev.strata.ingest.libpod;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A read-only reader of an SQLite 3 database file's tables, enough to read every row of a table by name: the 100-byte
 * header (page size, reserved bytes per page, text encoding, page count), the schema table {@code sqlite_schema} on
 * page 1, table B-trees (interior pages 0x05, leaf pages 0x0d), payloads spilled to overflow page chains, the record
 * format (serial types NULL, integers of 1-8 bytes, float, 0, 1, BLOB, TEXT). Layout as
 * {@code https://www.sqlite.org/fileformat2.html} defines it. Not read: index B-trees (not needed: every row is in its
 * table's B-tree), the freelist and freeblocks (rows deleted since the last VACUUM can linger there: not carved), a
 * write-ahead log ({@code <db>-wal}: pages committed after the last checkpoint are not in the main file).
 *
 * <p>Evidence is hostile: the reader works on the bytes in memory (the file is never opened for writing, no SQLite
 * library touches it), every page number and offset is checked against the file, a page is visited at most once per
 * table walk and an overflow chain at most the file's page count, so a malformed file is an {@link IOException},
 * never an endless loop or an out-of-bounds read.
 */
public final class SqliteFile {
  /** The 16 bytes every SQLite 3 database file starts with. */
  public static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  private static final int LEAF_TABLE = 0x0d;
  private static final int INTERIOR_TABLE = 0x05;
  /** A row larger than this is not read (libpod's documents are kilobytes; a spec with huge env stays far below). */
  private static final int MAX_PAYLOAD = 64 << 20;

  private final ByteBuffer data;
  private final int pageSize;
  private final int usable;
  private final int pages;
  private final int encoding;

  /** Whether {@code b} starts with the SQLite 3 header string. */
  public static boolean hasMagic(byte[] b) {
    if (b == null || b.length < MAGIC.length) return false;
    for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) return false;
    return true;
  }

  public SqliteFile(byte[] bytes) throws IOException {
    data = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (bytes.length < 100 || !hasMagic(bytes)) throw new IOException("not an SQLite 3 database (no header string)");
    int ps = data.getShort(16) & 0xffff;
    if (ps == 1) ps = 65536;
    if (ps < 512 || ps > 65536 || Integer.bitCount(ps) != 1) throw new IOException("bad page size " + ps);
    pageSize = ps;
    int reserved = data.get(20) & 0xff;
    usable = pageSize - reserved;
    if (usable < 480) throw new IOException("bad reserved space " + reserved);
    // the header's page count is valid when the change counter equals version-valid-for; else the file size decides
    long byHeader = data.getInt(28) & 0xffffffffL;
    boolean headerValid = byHeader > 0 && data.getInt(24) == data.getInt(92);
    long bySize = bytes.length / pageSize;
    pages = (int) Math.min(headerValid ? byHeader : bySize, bySize);
    int enc = data.getInt(56);
    encoding = enc == 0 ? 1 : enc;
    if (encoding < 1 || encoding > 3) throw new IOException("bad text encoding " + enc);
    if (pages < 1) throw new IOException("truncated: no complete page 1");
  }

  /** The page size in bytes. */
  public int pageSize() {
    return pageSize;
  }

  /** The number of whole pages read (the header's count, at most what the file holds). */
  public int pages() {
    return pages;
  }

  /** One row of a table: its rowid, the page of the leaf cell, and its values in column order. */
  public record Row(long rowid, int page, List<Object> values) {
    /** The value of column {@code i} as text (TEXT as is, BLOB as UTF-8, numbers in decimal), or null. */
    public String text(int i) {
      Object v = i < values.size() ? values.get(i) : null;
      if (v == null) return null;
      if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
      return v.toString();
    }

    /** The value of column {@code i} as a long, or null when it is not an integer. */
    public Long integer(int i) {
      Object v = i < values.size() ? values.get(i) : null;
      return v instanceof Long l ? l : null;
    }
  }

  /** A table of the schema: its name, root page and column names (from its CREATE TABLE statement). */
  public record Table(String name, int rootPage, List<String> columns, String sql) {
    /** The index of column {@code name} (case-insensitive), or -1. */
    public int column(String name) {
      for (int i = 0; i < columns.size(); i++) if (columns.get(i).equalsIgnoreCase(name)) return i;
      return -1;
    }
  }

  /** The tables of the schema, by name (in schema order). */
  public Map<String, Table> tables() throws IOException {
    Map<String, Table> out = new LinkedHashMap<>();
    for (Row r : rows(1)) {
      if (!"table".equals(r.text(0))) continue;
      String name = r.text(1);
      Long root = r.integer(3);
      String sql = r.text(4);
      if (name == null || root == null || root < 1 || root > pages) continue;
      out.put(name, new Table(name, root.intValue(), columns(sql), sql));
    }
    return out;
  }

  /**
   * Every row of the table whose B-tree starts at {@code rootPage}, in rowid order (a column declared INTEGER PRIMARY
   * KEY is stored as NULL and is the rowid: the caller knows its schema).
   */
  public List<Row> rows(int rootPage) throws IOException {
    List<Row> out = new ArrayList<>();
    rows(rootPage, out);
    return out;
  }

  /** As {@link #rows(int)}, appending to {@code out}: the rows read before a malformed page stay there. */
  public void rows(int rootPage, List<Row> out) throws IOException {
    walk(rootPage, new BitSet(pages + 1), out, 0);
  }

  private void walk(int page, BitSet seen, List<Row> out, int depth) throws IOException {
    if (page < 1 || page > pages) throw new IOException("page " + page + " outside the file (" + pages + " pages)");
    if (seen.get(page) || depth > 64) throw new IOException("page loop at page " + page);
    seen.set(page);
    int base = (page - 1) * pageSize;
    int hdr = base + (page == 1 ? 100 : 0);
    int type = data.get(hdr) & 0xff;
    int cells = data.getShort(hdr + 3) & 0xffff;
    if (type == INTERIOR_TABLE) {
      int ptrs = hdr + 12;
      check(ptrs + 2L * cells, base);
      for (int i = 0; i < cells; i++) {
        int cell = base + (data.getShort(ptrs + 2 * i) & 0xffff);
        check(cell + 4L, base);
        walk(data.getInt(cell), seen, out, depth + 1);
      }
      walk(data.getInt(hdr + 8), seen, out, depth + 1);
    } else if (type == LEAF_TABLE) {
      int ptrs = hdr + 8;
      check(ptrs + 2L * cells, base);
      for (int i = 0; i < cells; i++) {
        int cell = base + (data.getShort(ptrs + 2 * i) & 0xffff);
        if (cell < ptrs + 2 * cells || cell >= base + usable) throw new IOException("cell outside page " + page);
        long[] v = varint(cell, base);
        long size = v[0];
        long[] id = varint((int) (cell + v[1]), base);
        int at = (int) (cell + v[1] + id[1]);
        if (size < 0 || size > MAX_PAYLOAD || size > (long) pages * usable) {
          throw new IOException("row " + id[0] + " payload of " + size + " bytes"); // more than the file could hold
        }
        byte[] payload = payload(at, (int) size, base, page);
        out.add(new Row(id[0], page, record(payload, id[0])));
      }
    } else {
      throw new IOException("page " + page + " is not a table B-tree page (type 0x" + Integer.toHexString(type) + ")");
    }
  }

  /** The payload of a table leaf cell at {@code at}: its local part, then the overflow chain. */
  private byte[] payload(int at, int size, int base, int page) throws IOException {
    int x = usable - 35;
    int local = size;
    if (size > x) {
      int m = ((usable - 12) * 32 / 255) - 23;
      int k = m + ((size - m) % (usable - 4));
      local = k <= x ? k : m;
    }
    check(at + (long) local + (local < size ? 4 : 0), base);
    byte[] out = new byte[size];
    data.get(at, out, 0, local);
    int done = local;
    if (done < size) {
      int next = data.getInt(at + local);
      int hops = 0;
      while (done < size) {
        if (next < 2 || next > pages) throw new IOException("overflow page " + next + " outside the file (row on page "
            + page + ")");
        if (++hops > pages) throw new IOException("overflow loop (row on page " + page + ")");
        int o = (next - 1) * pageSize;
        int n = Math.min(usable - 4, size - done);
        data.get(o + 4, out, done, n);
        done += n;
        next = data.getInt(o);
      }
    }
    return out;
  }

  /** The values of a record (header of serial types, then the body). */
  private List<Object> record(byte[] p, long rowid) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.BIG_ENDIAN);
    long[] h = varint(p, 0);
    int headerEnd = (int) h[0];
    if (headerEnd < h[1] || headerEnd > p.length) throw new IOException("row " + rowid + ": bad record header");
    List<Long> types = new ArrayList<>();
    for (int i = (int) h[1]; i < headerEnd; ) {
      long[] t = varint(p, i);
      types.add(t[0]);
      i += (int) t[1];
    }
    List<Object> values = new ArrayList<>(types.size());
    int at = headerEnd;
    for (long t : types) {
      int n = serialSize(t);
      if (n < 0 || at + (long) n > p.length) throw new IOException("row " + rowid + ": value past the record");
      Object v;
      if (t == 0) v = null;
      else if (t >= 1 && t <= 6) {
        long x = 0;
        for (int i = 0; i < n; i++) x = (x << 8) | (p[at + i] & 0xff);
        int bits = n * 8;
        v = bits == 64 ? x : (x << (64 - bits)) >> (64 - bits); // sign-extend
      } else if (t == 7) v = b.getDouble(at);
      else if (t == 8) v = 0L;
      else if (t == 9) v = 1L;
      else if (t >= 12 && t % 2 == 0) {
        byte[] blob = new byte[n];
        System.arraycopy(p, at, blob, 0, n);
        v = blob;
      } else if (t >= 13) {
        v = new String(p, at, n, encoding == 1 ? StandardCharsets.UTF_8
            : encoding == 2 ? StandardCharsets.UTF_16LE : StandardCharsets.UTF_16BE);
      } else {
        throw new IOException("row " + rowid + ": reserved serial type " + t);
      }
      values.add(v);
      at += n;
    }
    return values;
  }

  private static int serialSize(long t) {
    if (t >= 0 && t <= 4) return (int) t;
    if (t == 5) return 6;
    if (t == 6 || t == 7) return 8;
    if (t == 8 || t == 9) return 0;
    if (t >= 12 && t < 2L * MAX_PAYLOAD + 13) return (int) ((t - (t % 2 == 0 ? 12 : 13)) / 2);
    return -1;
  }

  /** {value, length} of the varint at {@code at} in the file, bounded by the page starting at {@code base}. */
  private long[] varint(int at, int base) throws IOException {
    long v = 0;
    for (int i = 0; i < 9; i++) {
      if (at + i >= base + pageSize || at + i >= data.capacity()) throw new IOException("varint past the page");
      int c = data.get(at + i) & 0xff;
      if (i == 8) return new long[] {(v << 8) | c, 9};
      v = (v << 7) | (c & 0x7f);
      if (c < 0x80) return new long[] {v, i + 1};
    }
    throw new IllegalStateException();
  }

  private static long[] varint(byte[] p, int at) throws IOException {
    long v = 0;
    for (int i = 0; i < 9; i++) {
      if (at + i >= p.length) throw new IOException("varint past the record");
      int c = p[at + i] & 0xff;
      if (i == 8) return new long[] {(v << 8) | c, 9};
      v = (v << 7) | (c & 0x7f);
      if (c < 0x80) return new long[] {v, i + 1};
    }
    throw new IllegalStateException();
  }

  private void check(long end, int base) throws IOException {
    if (end > base + (long) pageSize || end > data.capacity()) throw new IOException("cell past the end of its page");
  }

  /**
   * The column names of a CREATE TABLE statement, in order: the first word of each top-level definition that is not a
   * table constraint (PRIMARY KEY, FOREIGN KEY, UNIQUE, CHECK, CONSTRAINT), unquoted.
   */
  static List<String> columns(String sql) {
    List<String> out = new ArrayList<>();
    if (sql == null) return out;
    int open = sql.indexOf('(');
    int close = sql.lastIndexOf(')');
    if (open < 0 || close <= open) return out;
    String body = sql.substring(open + 1, close);
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= body.length(); i++) {
      char c = i < body.length() ? body.charAt(i) : ',';
      if (c == '(') depth++;
      else if (c == ')') depth--;
      else if (c == ',' && depth == 0) {
        String def = body.substring(start, i).trim();
        start = i + 1;
        if (def.isEmpty()) continue;
        String first = def.split("\\s+", 2)[0];
        String upper = first.toUpperCase(Locale.ROOT);
        if (upper.equals("PRIMARY") || upper.equals("FOREIGN") || upper.equals("UNIQUE") || upper.equals("CHECK")
            || upper.equals("CONSTRAINT")) continue;
        out.add(first.replaceAll("^[\"`\\[]|[\"`\\]]$", ""));
      }
    }
    return out;
  }
}
