package dev.strata.ingest.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Factory;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * Test helper: a journal file written by systemd, with one entry's field re-stored as a new DATA object compressed
 * with XZ or LZ4 (the compressions systemd 252 on this machine does not write: its build compresses with ZSTD). The
 * object is appended after the tail object, as journald appends (same hash, entry and entry-array links as the
 * original DATA object, payload compressed as systemd's compress.c writes it), the entry's item is pointed at it and
 * the header's tail object, object count and incompatible flags are updated. journalctl reads such a file to the same
 * output (checked by hand when the test was written; journalctl --verify would complain that the new object is not in
 * the data hash table, which is only used for lookups).
 */
final class Recompress {
  private Recompress() {}

  static byte[] recompress(byte[] file, long entryOffset, String field, int objectFlag) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    boolean compact = (b.getInt(12) & JournalFile.INCOMPATIBLE_COMPACT) != 0;
    int payloadAt = compact ? JournalFile.DATA_PAYLOAD_OFFSET_COMPACT : JournalFile.DATA_PAYLOAD_OFFSET;
    int itemSize = compact ? 4 : 16;
    long entrySize = b.getLong((int) entryOffset + 8);
    byte[] prefix = (field + "=").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (long at = entryOffset + 64; at < entryOffset + entrySize; at += itemSize) {
      long d = compact ? Integer.toUnsignedLong(b.getInt((int) at)) : b.getLong((int) at);
      long size = b.getLong((int) d + 8);
      if (file[(int) d + 1] != 0) continue; // already compressed
      byte[] payload = Arrays.copyOfRange(file, (int) d + payloadAt, (int) (d + size));
      if (payload.length < prefix.length || !Arrays.equals(payload, 0, prefix.length, prefix, 0, prefix.length)) {
        continue;
      }
      byte[] packed = compress(payload, objectFlag);
      long tail = b.getLong(136);
      long end = (tail + b.getLong((int) tail + 8) + 7) & ~7L;
      int newSize = payloadAt + packed.length;
      byte[] out = Arrays.copyOf(file, (int) (Math.max(end, file.length) + ((newSize + 7) & ~7)));
      ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
      int n = (int) end;
      System.arraycopy(file, (int) d, out, n, payloadAt); // header, hash, links (and compact tail fields)
      out[n + 1] = (byte) objectFlag;
      o.putLong(n + 8, newSize);
      o.putLong(n + 24, 0); // next_hash_offset: not in the hash table
      o.putLong(n + 32, 0); // next_field_offset
      System.arraycopy(packed, 0, out, n + payloadAt, packed.length);
      if (compact) o.putInt((int) at, n);
      else o.putLong((int) at, n);
      o.putLong(136, n); // tail_object_offset
      o.putLong(144, b.getLong(144) + 1); // n_objects
      o.putInt(12, b.getInt(12) | headerFlag(objectFlag));
      return out;
    }
    throw new IllegalArgumentException("no uncompressed " + field + " in the entry at " + entryOffset);
  }

  private static int headerFlag(int objectFlag) {
    return objectFlag == JournalFile.OBJECT_COMPRESSED_XZ ? JournalFile.INCOMPATIBLE_COMPRESSED_XZ
        : JournalFile.INCOMPATIBLE_COMPRESSED_LZ4;
  }

  /** As systemd's compress_blob_xz (xz stream, no check) and compress_blob_lz4 (le64 size, LZ4 block). */
  static byte[] compress(byte[] payload, int objectFlag) throws IOException {
    if (objectFlag == JournalFile.OBJECT_COMPRESSED_XZ) {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      try (XZOutputStream x = new XZOutputStream(bo, new LZMA2Options(LZMA2Options.PRESET_DEFAULT), XZ.CHECK_NONE)) {
        x.write(payload);
      }
      return bo.toByteArray();
    }
    byte[] block = LZ4Factory.fastestInstance().fastCompressor().compress(payload);
    byte[] out = new byte[8 + block.length];
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, payload.length);
    System.arraycopy(block, 0, out, 8, block.length);
    return out;
  }
}
