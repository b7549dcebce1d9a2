package dev.strata.ingest.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A read-only reader of systemd journal files ({@code system.journal}, {@code system@...journal}, {@code
 * user-1000.journal}, the {@code .journal~} files journald set aside as dirty), written from systemd's documentation of
 * the format (https://systemd.io/JOURNAL_FILE_FORMAT/, {@code journal-def.h}): no native library, no journald.
 *
 * <p>All integers are little endian, objects 8-byte aligned. The header ({@code LPKSHHRH}, compatible / incompatible
 * flags, {@code header_size}, {@code arena_size}, {@code n_objects}, {@code n_entries}, {@code entry_array_offset},
 * seqnum ids, head/tail times) names the first ENTRY_ARRAY object; each entry array lists ENTRY object offsets in file
 * order and links the next array. An ENTRY (seqnum, realtime, monotonic, boot_id, xor_hash) lists its DATA objects;
 * a DATA object's payload is {@code FIELD=value} (values are binary-safe), compressed with XZ, LZ4 (8-byte
 * little-endian size, then an LZ4 block) or ZSTD (a zstd frame) as its object flags say. Both layouts are read: the
 * regular one (64-bit item offsets, entry items {offset, hash}) and the compact one ({@code
 * HEADER_INCOMPATIBLE_COMPACT}, systemd 252+: 32-bit offsets in entry items and entry arrays, DATA payload 8 bytes
 * later). Keyed-hash files read the same (hashes are only used for lookups, which this reader does not do).
 *
 * <p>Robust to a copy taken while journald was writing and to damage: {@link #read} walks the entry-array chain and
 * stops at the first object that fails a bounds, alignment, ordering or type check, reporting how many entries it read
 * and why it stopped ({@link ReadResult}). It never follows an offset outside the file, never reads an object whose
 * size runs past the end, never walks backwards (entry arrays and entries only move forward, so a loop is impossible)
 * and never allocates from an unchecked size: decompressed sizes are checked against {@link #maxFieldBytes} first.
 */
public final class JournalFile implements Closeable {
  /** The first 8 bytes of every journal file. */
  public static final byte[] SIGNATURE = "LPKSHHRH".getBytes(StandardCharsets.US_ASCII);
  /** The largest decompressed field value read by default; a bigger one is skipped and counted. */
  public static final int DEFAULT_MAX_FIELD_BYTES = 64 * 1024 * 1024;

  /** offsetof(Header, n_data): the header of systemd < 187, the smallest a reader accepts. */
  static final int HEADER_SIZE_MIN = 208;
  /** The header a compact file needs: tail_entry_array_offset / _n_entries (systemd 252). */
  static final int HEADER_SIZE_COMPACT_MIN = 264;

  static final int INCOMPATIBLE_COMPRESSED_XZ = 1;
  static final int INCOMPATIBLE_COMPRESSED_LZ4 = 2;
  static final int INCOMPATIBLE_KEYED_HASH = 4;
  static final int INCOMPATIBLE_COMPRESSED_ZSTD = 8;
  static final int INCOMPATIBLE_COMPACT = 16;
  static final int INCOMPATIBLE_KNOWN = 31;

  static final int OBJECT_DATA = 1;
  static final int OBJECT_ENTRY = 3;
  static final int OBJECT_ENTRY_ARRAY = 6;
  static final int OBJECT_TYPE_MAX = 7;

  static final int OBJECT_COMPRESSED_XZ = 1;
  static final int OBJECT_COMPRESSED_LZ4 = 2;
  static final int OBJECT_COMPRESSED_ZSTD = 4;

  static final int OBJECT_HEADER_SIZE = 16;
  static final int ENTRY_ITEMS_OFFSET = 64;
  static final int ENTRY_ARRAY_ITEMS_OFFSET = 24;
  static final int DATA_PAYLOAD_OFFSET = 64;
  static final int DATA_PAYLOAD_OFFSET_COMPACT = 72;

  /** An entry of journald's maximum of fields (a few thousand) is far smaller; a bigger one is damage. */
  static final long MAX_ENTRY_BYTES = 1L << 20;
  /** Entry arrays double in size: this one would index tens of millions of entries. */
  static final long MAX_ENTRY_ARRAY_BYTES = 1L << 28;

  /** validity bounds of systemd's VALID_REALTIME / VALID_MONOTONIC */
  private static final long TIME_MAX = 1L << 55;

  private static final HexFormat HEX = HexFormat.of();

  private final FileChannel channel;
  private final long size;
  private final ByteBuffer map; // null: the file is larger than one mapping, read object by object
  private final Header header;
  private final int maxFieldBytes;
  private final DataCache cache = new DataCache();
  /** The last boot id read (entries of one boot share it): its 16 bytes and text. */
  private long bootIdHigh;
  private long bootIdLow;
  private String bootId;

  private JournalFile(FileChannel channel, long size, ByteBuffer map, Header header, int maxFieldBytes) {
    this.channel = channel;
    this.size = size;
    this.map = map;
    this.header = header;
    this.maxFieldBytes = maxFieldBytes;
  }

  /** True when {@code head} (the first bytes of a file) starts with the journal signature. */
  public static boolean hasSignature(byte[] head) {
    if (head == null || head.length < SIGNATURE.length) return false;
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (head[i] != SIGNATURE[i]) return false;
    }
    return true;
  }

  /** Opens {@code file} read-only with the default field size limit. See {@link #open(Path, int)}. */
  public static JournalFile open(Path file) throws IOException {
    return open(file, DEFAULT_MAX_FIELD_BYTES);
  }

  /**
   * Opens {@code file} read-only and reads its header.
   *
   * @throws JournalFormatException when the file is not a journal file this reader can walk (signature, header size,
   *     unknown incompatible flags, a compact file with a header too short for it)
   */
  public static JournalFile open(Path file, int maxFieldBytes) throws IOException {
    return open(file, maxFieldBytes, Long.MAX_VALUE);
  }

  /**
   * As above, reading at most the first {@code sizeLimit} bytes of the file: the bytes that were hashed and preserved
   * when journald may still be appending to it (a live node), so that every entry read lies in the preserved copy.
   */
  public static JournalFile open(Path file, int maxFieldBytes, long sizeLimit) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = Math.min(ch.size(), sizeLimit);
      ByteBuffer map = null;
      if (size <= Integer.MAX_VALUE) {
        MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        map = m.order(ByteOrder.LITTLE_ENDIAN);
      }
      ByteBuffer h = ByteBuffer.allocate((int) Math.min(size, 272)).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, h, 0);
      Header header = Header.read(h, size);
      return new JournalFile(ch, size, map, header, maxFieldBytes);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  public Header header() {
    return header;
  }

  /** The file's size in bytes. */
  public long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Receives the entries of {@link #read} in file order. */
  @FunctionalInterface
  public interface EntryVisitor {
    void entry(JournalEntry entry) throws IOException;
  }

  /**
   * Walks the entry-array chain from the header's {@code entry_array_offset}, in file order, and hands each entry to
   * {@code visitor}. Stops at the end of the chain (the first zero item, or no next array) or at the first object
   * that fails a check, and says which.
   */
  public ReadResult read(EntryVisitor visitor) throws IOException {
    Objects.requireNonNull(visitor, "visitor");
    Counters c = new Counters();
    long array = header.entryArrayOffset();
    long previousArray = 0;
    long previousEntry = 0;
    int itemSize = header.compact() ? 4 : 8;
    try {
      while (array != 0) {
        String bad = checkObject(array, OBJECT_ENTRY_ARRAY, ENTRY_ARRAY_ITEMS_OFFSET, "entry array");
        if (bad == null && array <= previousArray) {
          bad = "entry array at offset " + array + " does not follow the previous one (" + previousArray + ")";
        }
        if (bad != null) return c.stop(stopOf(array), bad);
        ByteBuffer a = object(array, objectSize(array));
        long items = (a.limit() - ENTRY_ARRAY_ITEMS_OFFSET) / itemSize;
        long next = a.getLong(16);
        for (long i = 0; i < items; i++) {
          int at = (int) (ENTRY_ARRAY_ITEMS_OFFSET + i * itemSize);
          long e = header.compact() ? Integer.toUnsignedLong(a.getInt(at)) : a.getLong(at);
          if (e == 0) {
            return c.end(next != 0 ? "entry array at offset " + array + " ends with unused items and links another"
                : null);
          }
          if (e <= previousEntry) {
            return c.stop(Stop.CORRUPT, "entry array at offset " + array + " item " + i + " points backwards (" + e
                + " after " + previousEntry + ")");
          }
          JournalEntry entry = entry(e, c);
          if (entry == null) return c.result();
          previousEntry = e;
          c.entries++;
          visitor.entry(entry);
        }
        previousArray = array;
        array = next;
      }
      return c.end(null);
    } catch (InternalError e) {
      // a mapped page that vanished (the file was truncated while being read)
      return c.stop(Stop.TRUNCATED, "the file changed while being read: " + e.getMessage());
    }
  }

  /** The entry at {@code offset}, or null after recording in {@code c} why it cannot be read. */
  private JournalEntry entry(long offset, Counters c) throws IOException {
    String bad = checkObject(offset, OBJECT_ENTRY, ENTRY_ITEMS_OFFSET, "entry");
    if (bad != null) {
      c.stop(stopOf(offset), bad);
      return null;
    }
    ByteBuffer o = object(offset, objectSize(offset));
    int itemSize = header.compact() ? 4 : 16;
    if ((o.limit() - ENTRY_ITEMS_OFFSET) % itemSize != 0) {
      c.stop(Stop.CORRUPT, "entry at offset " + offset + " has a size (" + o.limit() + ") that is not a whole number of "
          + itemSize + "-byte items");
      return null;
    }
    long seqnum = o.getLong(16);
    long realtime = o.getLong(24);
    long monotonic = o.getLong(32);
    if (realtime <= 0 || realtime >= TIME_MAX || monotonic < 0 || monotonic >= TIME_MAX || seqnum <= 0) {
      c.stop(Stop.CORRUPT, "entry at offset " + offset + " has an invalid seqnum / realtime / monotonic (" + seqnum
          + ", " + realtime + ", " + monotonic + ")");
      return null;
    }
    long b0 = o.getLong(40);
    long b1 = o.getLong(48);
    if (bootId == null || b0 != bootIdHigh || b1 != bootIdLow) {
      bootId = hex(o, 40);
      bootIdHigh = b0;
      bootIdLow = b1;
    }
    long xorHash = o.getLong(56);
    int n = (o.limit() - ENTRY_ITEMS_OFFSET) / itemSize;
    List<JournalField> fields = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int at = ENTRY_ITEMS_OFFSET + i * itemSize;
      long d = header.compact() ? Integer.toUnsignedLong(o.getInt(at)) : o.getLong(at);
      JournalField f = cache.get(d);
      if (f == null) {
        String why = checkObject(d, OBJECT_DATA, dataPayloadOffset(), "data object");
        if (why != null) {
          c.stop(stopOf(d), "entry at offset " + offset + " item " + i + ": " + why);
          return null;
        }
        try {
          f = data(d, c);
        } catch (FieldException e) {
          c.fieldsSkipped++;
          if (c.firstFieldProblem == null) c.firstFieldProblem = "entry at offset " + offset + ": " + e.getMessage();
          continue;
        }
        if (f.shared) cache.put(d, f);
      }
      fields.add(f);
    }
    return new JournalEntry(offset, seqnum, realtime, monotonic, bootId, xorHash, header.seqnumId(), fields);
  }

  private int dataPayloadOffset() {
    return header.compact() ? DATA_PAYLOAD_OFFSET_COMPACT : DATA_PAYLOAD_OFFSET;
  }

  /** The field of the DATA object at {@code offset} (already checked). */
  private JournalField data(long offset, Counters c) throws IOException, FieldException {
    long objectSize = objectSize(offset);
    int flags = u8(offset + 1);
    int payloadOffset = dataPayloadOffset();
    long payloadSize = objectSize - payloadOffset;
    int compression = flags & (OBJECT_COMPRESSED_XZ | OBJECT_COMPRESSED_LZ4 | OBJECT_COMPRESSED_ZSTD);
    if (payloadSize > maxFieldBytes) {
      throw new FieldException("data object at offset " + offset + " holds " + payloadSize + " bytes, over the limit of "
          + maxFieldBytes);
    }
    ByteBuffer payload = object(offset + payloadOffset, payloadSize);
    if (compression != 0) c.compressedFields++;
    byte[] value = switch (compression) {
      case 0 -> bytes(payload);
      case OBJECT_COMPRESSED_XZ, OBJECT_COMPRESSED_LZ4, OBJECT_COMPRESSED_ZSTD ->
          JournalCompression.decompress(compression, payload, maxFieldBytes, offset);
      default -> throw new FieldException("data object at offset " + offset + " has several compression flags ("
          + flags + ")");
    };
    int eq = -1;
    for (int i = 0; i < value.length; i++) {
      if (value[i] == '=') {
        eq = i;
        break;
      }
    }
    if (eq <= 0) {
      throw new FieldException("data object at offset " + offset + " is not FIELD=value");
    }
    JournalField f = new JournalField(new String(value, 0, eq, StandardCharsets.UTF_8), value, eq + 1);
    // n_entries: how many entries link this object; one that only one entry uses is not kept
    f.shared = object(offset + 56, 8).getLong(0) != 1;
    return f;
  }

  /**
   * Null when an object of {@code type} with at least {@code minSize} bytes sits at {@code offset} wholly inside the
   * file, else why not.
   */
  private String checkObject(long offset, int type, int minSize, String what) throws IOException {
    if (offset < header.headerSize() || (offset & 7) != 0) {
      return what + " offset " + offset + " is " + ((offset & 7) != 0 ? "not 8-byte aligned" : "inside the header");
    }
    if (offset + OBJECT_HEADER_SIZE > size) {
      return what + " at offset " + offset + " lies beyond the end of the file (" + size + " bytes)";
    }
    int t = u8(offset);
    long s = objectSize(offset);
    if (t != type) {
      return what + " at offset " + offset + " has object type " + t + (t == 0 ? " (unused: never written)" : "")
          + ", expected " + type;
    }
    if (s < minSize) {
      return what + " at offset " + offset + " has size " + s + ", smaller than its fixed part (" + minSize + ")";
    }
    long max = type == OBJECT_ENTRY ? MAX_ENTRY_BYTES : type == OBJECT_ENTRY_ARRAY ? MAX_ENTRY_ARRAY_BYTES : Long.MAX_VALUE;
    if (s > max) {
      return what + " at offset " + offset + " claims " + s + " bytes, more than any journald writes (" + max + ")";
    }
    if (s > size - offset) {
      return what + " at offset " + offset + " (" + s + " bytes) runs past the end of the file (" + size + " bytes)";
    }
    return null;
  }

  /** TRUNCATED when the object at {@code offset} is cut by the end of the file, else CORRUPT. */
  private Stop stopOf(long offset) throws IOException {
    if (offset + OBJECT_HEADER_SIZE > size) return Stop.TRUNCATED;
    if ((offset & 7) == 0 && offset >= header.headerSize()) {
      long s = objectSize(offset);
      int t = u8(offset);
      if (t > 0 && t <= OBJECT_TYPE_MAX && s > size - offset) return Stop.TRUNCATED;
    }
    return Stop.CORRUPT;
  }

  private int u8(long offset) throws IOException {
    return object(offset, 1).get(0) & 0xff;
  }

  private long objectSize(long offset) throws IOException {
    return object(offset + 8, 8).getLong(0);
  }

  /** {@code length} bytes at {@code offset} (inside the file: checked by the callers) as a little-endian buffer. */
  private ByteBuffer object(long offset, long length) throws IOException {
    if (length < 0 || length > Integer.MAX_VALUE || offset < 0 || offset + length > size) {
      throw new IOException("read of " + length + " bytes at offset " + offset + " outside the file (" + size + ")");
    }
    if (map != null) {
      return map.slice((int) offset, (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }
    ByteBuffer b = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, b, offset);
    return b.flip();
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long offset) throws IOException {
    long at = offset;
    while (b.hasRemaining()) {
      int n = ch.read(b, at);
      if (n < 0) throw new IOException("unexpected end of file at offset " + at);
      at += n;
    }
    b.flip();
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  static String hex(ByteBuffer b, int at) {
    byte[] id = new byte[16];
    b.get(at, id);
    return HEX.formatHex(id);
  }

  /** A field that cannot be decoded (the entry is kept without it). */
  static final class FieldException extends Exception {
    FieldException(String message) {
      super(message);
    }
  }

  /** Why {@link #read} stopped. */
  public enum Stop {
    /** The entry-array chain ended normally. */
    COMPLETE,
    /** An object lies (partly) past the end of the file: a copy cut short, or taken while journald was writing. */
    TRUNCATED,
    /** An object failed a type, size, alignment or ordering check. */
    CORRUPT
  }

  /**
   * What {@link #read} did.
   *
   * @param entries entries handed to the visitor
   * @param headerEntries the header's {@code n_entries}
   * @param stop why it stopped
   * @param detail the failed check (null when complete and consistent)
   * @param fieldsSkipped fields left out of their entries (undecodable, over the size limit)
   * @param firstFieldProblem why the first such field was left out, or null
   * @param compressedFields distinct DATA objects read that were stored compressed
   */
  public record ReadResult(long entries, long headerEntries, Stop stop, String detail, long fieldsSkipped,
      String firstFieldProblem, long compressedFields) {}

  private final class Counters {
    long entries;
    long fieldsSkipped;
    long compressedFields;
    String firstFieldProblem;
    Stop stop;
    String detail;

    ReadResult stop(Stop s, String why) {
      stop = s;
      detail = why;
      return result();
    }

    ReadResult end(String note) {
      stop = Stop.COMPLETE;
      detail = note;
      if (detail == null && entries != header.nEntries()) {
        detail = "read " + entries + " entries, the header counts " + header.nEntries();
      }
      return result();
    }

    ReadResult result() {
      return new ReadResult(entries, header.nEntries(), stop, detail, fieldsSkipped, firstFieldProblem,
          compressedFields);
    }
  }

  /**
   * Decoded DATA objects by offset (journald writes each distinct FIELD=value once and entries share it): an
   * open-addressing table of primitive offsets, emptied when full or over its byte budget.
   */
  private static final class DataCache {
    private static final int SLOTS = 1 << 14; // at most half used
    private static final long MAX_BYTES = 16L * 1024 * 1024;
    private final long[] keys = new long[SLOTS];
    private final JournalField[] values = new JournalField[SLOTS];
    private int size;
    private long bytes;

    JournalField get(long offset) {
      for (int i = slot(offset); ; i = (i + 1) & (SLOTS - 1)) {
        long k = keys[i];
        if (k == offset) return values[i];
        if (k == 0) return null;
      }
    }

    void put(long offset, JournalField f) {
      if (f.size() > MAX_BYTES / 64) return;
      if (size >= SLOTS / 2 || bytes + f.size() > MAX_BYTES) {
        java.util.Arrays.fill(keys, 0);
        java.util.Arrays.fill(values, null);
        size = 0;
        bytes = 0;
      }
      int i = slot(offset);
      while (keys[i] != 0) {
        if (keys[i] == offset) return;
        i = (i + 1) & (SLOTS - 1);
      }
      keys[i] = offset;
      values[i] = f;
      size++;
      bytes += f.size();
    }

    private static int slot(long offset) {
      long h = (offset >>> 3) * 0x9E3779B97F4A7C15L;
      return (int) (h >>> 50);
    }
  }

  /**
   * The journal file header (the fields a reader needs; systemd's {@code struct Header}).
   *
   * @param state 0 offline (closed cleanly), 1 online (journald had it open: a copy of a live or crashed file), 2
   *     archived
   */
  public record Header(
      int compatibleFlags,
      int incompatibleFlags,
      int state,
      String fileId,
      String machineId,
      String tailEntryBootId,
      String seqnumId,
      long headerSize,
      long arenaSize,
      long nObjects,
      long nEntries,
      long headSeqnum,
      long tailSeqnum,
      long entryArrayOffset,
      long headRealtime,
      long tailRealtime,
      long fileSize) {

    public boolean compact() {
      return (incompatibleFlags & INCOMPATIBLE_COMPACT) != 0;
    }

    public boolean keyedHash() {
      return (incompatibleFlags & INCOMPATIBLE_KEYED_HASH) != 0;
    }

    /** A state systemd writes: offline, online or archived. */
    public String stateName() {
      return switch (state) {
        case 0 -> "offline";
        case 1 -> "online";
        case 2 -> "archived";
        default -> "unknown (" + state + ")";
      };
    }

    /** Bytes the header and arena claim beyond the end of the file (0 for a whole file). */
    public long missingBytes() {
      long claimed = headerSize + arenaSize;
      return claimed > fileSize ? claimed - fileSize : 0;
    }

    static Header read(ByteBuffer h, long fileSize) throws JournalFormatException {
      if (h.limit() < HEADER_SIZE_MIN || !hasSignature(bytes(h.duplicate().limit(8)))) {
        throw new JournalFormatException("not a journal file: no LPKSHHRH signature and " + HEADER_SIZE_MIN
            + "-byte header");
      }
      int incompatible = h.getInt(12);
      long headerSize = h.getLong(88);
      if ((incompatible & ~INCOMPATIBLE_KNOWN) != 0) {
        throw new JournalFormatException("unknown incompatible flags 0x" + Integer.toHexString(incompatible)
            + " (known: XZ, LZ4, KEYED_HASH, ZSTD, COMPACT): written by a newer systemd");
      }
      if (headerSize < HEADER_SIZE_MIN || headerSize > fileSize || (headerSize & 7) != 0) {
        throw new JournalFormatException("header_size " + headerSize + " is not a journal header size (file: "
            + fileSize + " bytes)");
      }
      if ((incompatible & INCOMPATIBLE_COMPACT) != 0 && headerSize < HEADER_SIZE_COMPACT_MIN) {
        throw new JournalFormatException("compact file with a " + headerSize + "-byte header (needs "
            + HEADER_SIZE_COMPACT_MIN + ")");
      }
      return new Header(h.getInt(8), incompatible, h.get(16) & 0xff, hex(h, 24), hex(h, 40), hex(h, 56),
          hex(h, 72), headerSize, h.getLong(96), h.getLong(144), h.getLong(152), h.getLong(168),
          h.getLong(160), h.getLong(176), h.getLong(184), h.getLong(192), fileSize);
    }
  }
}
