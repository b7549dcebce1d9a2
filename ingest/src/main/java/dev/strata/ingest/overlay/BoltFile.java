package dev.strata.ingest.overlay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only reader of a bbolt database file (go.etcd.io/bbolt, the store containerd and its snapshotters keep their
 * metadata in), enough to walk buckets and read values: the newer valid meta page (0 or 1, by txid), branch and leaf
 * pages, overflow pages, nested buckets (their own root page, or inline in the parent's leaf). Not read: the freelist.
 * Layout as bbolt's page.go / node.go / bucket.go write it (little-endian, as on the amd64 and arm64 hosts that write
 * it): page header {id u64, flags u16, count u16, overflow u32}; meta {magic 0xED0CDAED, version 2, page size, flags,
 * root bucket {root pgid, sequence}, freelist, pgid, txid, checksum (FNV-1a 64 of the fields before it)}; branch
 * element {pos u32, ksize u32, pgid u64}; leaf element {flags u32 (1 = bucket), pos u32, ksize u32, vsize u32}, the
 * key and value at {@code pos} from the element.
 *
 * <p>Evidence is hostile: every offset and page id is checked against the file, a page is visited once per walk, and
 * a malformed file is an {@link IOException}, never an endless loop or an out-of-bounds read.
 */
public final class BoltFile {
  private static final int MAGIC = 0xED0CDAED;

  /** Whether {@code b} starts with a bbolt meta page (its magic after the 16-byte page header). */
  public static boolean hasMagic(byte[] b) {
    return b != null && b.length >= 24 && ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(HEADER) == MAGIC;
  }
  private static final int HEADER = 16;
  private static final int BRANCH = 0x01;
  private static final int LEAF = 0x02;
  private static final int BUCKET_LEAF = 0x01;

  private final ByteBuffer data;
  private final int pageSize;
  private final long rootPage;
  private int visits;

  public BoltFile(byte[] bytes) throws IOException {
    data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long[] best = null;
    for (int m = 0; m < 2; m++) {
      long[] meta = meta(m);
      if (meta != null && (best == null || meta[2] > best[2])) best = meta;
    }
    if (best == null) throw new IOException("not a bbolt file (no valid meta page)");
    pageSize = (int) best[0];
    rootPage = best[1];
  }

  /** {page size, root pgid, txid} of meta page {@code m}, or null when it is not valid. */
  private long[] meta(int m) {
    // the meta pages sit at 0 and at the page size, which meta 0 states (4096 when it is unreadable)
    int size = 4096;
    if (data.capacity() >= HEADER + 12 && data.getInt(HEADER) == MAGIC) size = data.getInt(HEADER + 8);
    if (size < 512 || size > (1 << 16)) return null;
    int at = m * size + HEADER;
    if (at + 64 > data.capacity() || data.getInt(at) != MAGIC || data.getInt(at + 4) != 2) return null;
    long sum = 0xcbf29ce484222325L;
    for (int i = at; i < at + 56; i++) {
      sum ^= data.get(i) & 0xff;
      sum *= 0x100000001b3L;
    }
    if (sum != data.getLong(at + 56)) return null;
    return new long[] {data.getInt(at + 8), data.getLong(at + 16), data.getLong(at + 48)};
  }

  /** The root bucket. */
  public Bucket root() {
    return new Bucket(rootPage, -1);
  }

  /** A bucket: its root page, or an inline page in the file at {@code inlineAt} (then {@code page} is 0). */
  public final class Bucket {
    private final long page;
    private final int inlineAt;

    private Bucket(long page, int inlineAt) {
      this.page = page;
      this.inlineAt = inlineAt;
    }

    /** The nested bucket under {@code name}, or null. */
    public Bucket bucket(String name) throws IOException {
      for (Entry e : entries()) if (e.bucket() != null && e.key().equals(name)) return e.bucket();
      return null;
    }

    /** The value under {@code key} (not a bucket), or null. */
    public byte[] get(String key) throws IOException {
      for (Entry e : entries()) if (e.bucket() == null && e.key().equals(key)) return e.value();
      return null;
    }

    /** Its keys in order, each with its value or nested bucket. */
    public List<Entry> entries() throws IOException {
      List<Entry> out = new ArrayList<>();
      visits = 0;
      if (page == 0) walk(inlineAt, out);
      else walk(pageAt(page), out);
      return out;
    }
  }

  /** One key of a bucket: a value, or a nested bucket. */
  public record Entry(String key, byte[] value, Bucket bucket) {}

  private int pageAt(long id) throws IOException {
    long at = id * pageSize;
    if (id < 2 || at + HEADER > data.capacity()) throw new IOException("page " + id + " outside the file");
    return (int) at;
  }

  private void walk(int at, List<Entry> out) throws IOException {
    if (++visits > data.capacity() / HEADER) throw new IOException("page loop");
    check(at + HEADER);
    int flags = data.getShort(at + 8) & 0xffff;
    int count = data.getShort(at + 10) & 0xffff;
    int elems = at + HEADER;
    if (flags == BRANCH) {
      for (int i = 0; i < count; i++) {
        int e = elems + i * 16;
        check(e + 16);
        walk(pageAt(data.getLong(e + 8)), out);
      }
    } else if (flags == LEAF) {
      for (int i = 0; i < count; i++) {
        int e = elems + i * 16;
        check(e + 16);
        int elemFlags = data.getInt(e);
        long k = e + (data.getInt(e + 4) & 0xffffffffL);
        int ksize = data.getInt(e + 8);
        int vsize = data.getInt(e + 12);
        if (ksize < 0 || vsize < 0) throw new IOException("bad leaf element");
        check(k + ksize + vsize);
        String key = new String(data.array(), (int) k, ksize, StandardCharsets.UTF_8);
        int v = (int) (k + ksize);
        if ((elemFlags & BUCKET_LEAF) != 0) {
          if (vsize < HEADER) throw new IOException("bad bucket value");
          long root = data.getLong(v);
          out.add(new Entry(key, null, root == 0 ? new Bucket(0, v + HEADER) : new Bucket(root, -1)));
        } else {
          byte[] value = new byte[vsize];
          data.get(v, value);
          out.add(new Entry(key, value, null));
        }
      }
    } else {
      throw new IOException("page at " + at + " is neither branch nor leaf (flags " + flags + ")");
    }
  }

  private void check(long end) throws IOException {
    if (end > data.capacity()) throw new IOException("element past the end of the file");
  }

  /** A Go {@code binary.Uvarint}, or -1 when malformed. */
  static long uvarint(byte[] b) {
    if (b == null) return -1;
    long x = 0;
    for (int i = 0, s = 0; i < b.length && i < 10; i++, s += 7) {
      int c = b[i] & 0xff;
      if (c < 0x80) return x | ((long) c << s);
      x |= (long) (c & 0x7f) << s;
    }
    return -1;
  }

  /** containerd's overlayfs snapshotter metadata: snapshot id -> (key, kind, parent key); {@code v1/snapshots}. */
  static Map<String, Snapshot> containerdSnapshots(byte[] bytes) throws IOException {
    Map<String, Snapshot> out = new LinkedHashMap<>();
    Bucket v1 = new BoltFile(bytes).root().bucket("v1");
    Bucket snaps = v1 == null ? null : v1.bucket("snapshots");
    if (snaps == null) return out;
    for (Entry e : snaps.entries()) {
      if (e.bucket() == null) continue;
      long id = uvarint(e.bucket().get("id"));
      byte[] kind = e.bucket().get("kind");
      byte[] parent = e.bucket().get("parent");
      if (id <= 0) continue;
      out.put(Long.toString(id), new Snapshot(e.key(), kind != null && kind.length == 1 ? kind[0] : 0,
          parent == null ? null : new String(parent, StandardCharsets.UTF_8)));
    }
    return out;
  }

  /**
   * One snapshot of containerd's snapshotter: its key ({@code <namespace>/<n>/<name>}: the container id for a CRI
   * container's writable layer, {@code sha256:<chain id>} for an image layer), its kind (snapshots.Kind: 1 view, 2
   * active, 3 committed) and its parent's key.
   */
  record Snapshot(String key, int kind, String parent) {
    static final int ACTIVE = 2;

    /** The namespace part of the key, or null when the key has no {@code <namespace>/<n>/} prefix. */
    String namespace() {
      int a = key.indexOf('/');
      return a < 0 || key.indexOf('/', a + 1) < 0 ? null : key.substring(0, a);
    }

    /** The name part of the key (after {@code <namespace>/<n>/}). */
    String name() {
      int a = key.indexOf('/');
      int b = a < 0 ? -1 : key.indexOf('/', a + 1);
      return b < 0 ? key : key.substring(b + 1);
    }
  }
}
