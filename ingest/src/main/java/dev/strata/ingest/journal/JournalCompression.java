package dev.strata.ingest.journal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.tukaani.xz.XZInputStream;

/**
 * The three compressions of DATA objects, as systemd writes them (compress.c): XZ (an .xz stream), LZ4 (the
 * uncompressed size as a little-endian 64-bit integer, then one LZ4 block), ZSTD (one zstd frame). Every decompressed
 * size is checked against the limit before anything is allocated for it.
 */
final class JournalCompression {
  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

  private JournalCompression() {}

  static byte[] decompress(int flag, ByteBuffer src, int limit, long offset) throws JournalFile.FieldException {
    try {
      return switch (flag) {
        case JournalFile.OBJECT_COMPRESSED_LZ4 -> lz4(src, limit, offset);
        case JournalFile.OBJECT_COMPRESSED_ZSTD -> zstd(src, limit, offset);
        default -> xz(src, limit, offset);
      };
    } catch (JournalFile.FieldException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new JournalFile.FieldException(name(flag) + " data object at offset " + offset + " does not decompress: "
          + e.getMessage());
    }
  }

  private static byte[] lz4(ByteBuffer src, int limit, long offset) throws JournalFile.FieldException {
    if (src.remaining() < 8) {
      throw new JournalFile.FieldException("LZ4 data object at offset " + offset + " is shorter than its size prefix");
    }
    long n = src.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(src.position());
    checkSize(n, limit, "LZ4", offset);
    byte[] out = new byte[(int) n];
    byte[] in = JournalFile.bytes(src.duplicate().position(src.position() + 8));
    try {
      int got = LZ4.decompress(in, 0, in.length, out, 0, out.length);
      if (got != n) {
        throw new JournalFile.FieldException("LZ4 data object at offset " + offset + " gives " + got
            + " bytes, its prefix says " + n);
      }
    } catch (LZ4Exception e) {
      throw new JournalFile.FieldException("LZ4 data object at offset " + offset + " does not decompress: "
          + e.getMessage());
    }
    return out;
  }

  private static byte[] zstd(ByteBuffer src, int limit, long offset) throws IOException, JournalFile.FieldException {
    byte[] in = JournalFile.bytes(src);
    long n = Zstd.getFrameContentSize(in);
    if (n >= 0) {
      checkSize(n, limit, "ZSTD", offset);
      byte[] out = new byte[(int) n];
      long got = Zstd.decompressByteArray(out, 0, out.length, in, 0, in.length);
      if (Zstd.isError(got)) {
        throw new JournalFile.FieldException("ZSTD data object at offset " + offset + " does not decompress: "
            + Zstd.getErrorName(got));
      }
      if (got != n) {
        throw new JournalFile.FieldException("ZSTD data object at offset " + offset + " gives " + got
            + " bytes, its frame says " + n);
      }
      return out;
    }
    return bounded(new ZstdInputStream(new java.io.ByteArrayInputStream(in)), limit, "ZSTD", offset);
  }

  private static byte[] xz(ByteBuffer src, int limit, long offset) throws IOException, JournalFile.FieldException {
    byte[] in = JournalFile.bytes(src);
    // memory limit for the decoder's dictionary, in KiB: a journal writer uses xz's default preset (8 MiB)
    return bounded(new XZInputStream(new java.io.ByteArrayInputStream(in), 64 * 1024), limit, "XZ", offset);
  }

  private static byte[] bounded(InputStream in, int limit, String name, long offset)
      throws IOException, JournalFile.FieldException {
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
      byte[] buf = new byte[8192];
      long total = 0;
      for (int k; (k = in.read(buf)) > 0; ) {
        total += k;
        checkSize(total, limit, name, offset);
        out.write(buf, 0, k);
      }
      return out.toByteArray();
    }
  }

  private static void checkSize(long n, int limit, String name, long offset) throws JournalFile.FieldException {
    if (n < 0 || n > limit) {
      throw new JournalFile.FieldException(name + " data object at offset " + offset + " decompresses to " + n
          + " bytes, over the limit of " + limit);
    }
  }

  private static String name(int flag) {
    return switch (flag) {
      case JournalFile.OBJECT_COMPRESSED_LZ4 -> "LZ4";
      case JournalFile.OBJECT_COMPRESSED_ZSTD -> "ZSTD";
      default -> "XZ";
    };
  }
}
