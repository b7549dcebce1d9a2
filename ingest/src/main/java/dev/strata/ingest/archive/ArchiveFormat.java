package dev.strata.ingest.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * The evidence archive formats, recognized by their magic bytes (never by the file name): a zip (local file header
 * {@code PK\3\4}, or the end record of an empty zip), a tar (the {@code ustar} magic at offset 257: POSIX ustar, GNU
 * and PAX tars all carry it), or a tar compressed with gzip, xz, zstd or bzip2 (the compression's magic, then the tar
 * magic in the first decompressed block). A gzip file whose content is not a tar is not an archive (a compressed log:
 * the collector reads it as it always did).
 */
public enum ArchiveFormat {
  TAR("tar"),
  TAR_GZIP("tar+gzip"),
  TAR_XZ("tar+xz"),
  TAR_ZSTD("tar+zstd"),
  TAR_BZIP2("tar+bzip2"),
  ZIP("zip");

  /** The artifact source_type of an evidence archive preserved as itself (a manifest, no chunks: no parser reads it). */
  public static final String SOURCE_TYPE = "evidence_archive";

  private static final int TAR_BLOCK = 512;
  private static final byte[] USTAR = {'u', 's', 't', 'a', 'r'};

  private final String code;

  ArchiveFormat(String code) {
    this.code = code;
  }

  /** e.g. {@code tar+gzip}. */
  public String code() {
    return code;
  }

  /** The archive format of {@code file}, or null when it is not an archive. Never follows a symlink. */
  public static ArchiveFormat detect(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      head = in.readNBytes(TAR_BLOCK);
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K'
        && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) || (head[2] == 7 && head[3] == 8))) {
      return ZIP;
    }
    if (isTar(head)) {
      return TAR;
    }
    ArchiveFormat compressed = compression(head);
    if (compressed == null) {
      return null;
    }
    try (InputStream raw = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        InputStream in = decompress(compressed, raw)) {
      return isTar(in.readNBytes(TAR_BLOCK)) ? compressed : null;
    } catch (IOException | RuntimeException e) {
      return null; // a damaged or short compressed file is not read as an archive: the collector reports it as usual
    }
  }

  /** True when {@code bytes} is one whole tar header block with the {@code ustar} magic. */
  static boolean isTar(byte[] bytes) {
    return bytes.length >= TAR_BLOCK && Arrays.equals(bytes, 257, 262, USTAR, 0, 5);
  }

  private static ArchiveFormat compression(byte[] h) {
    if (h.length >= 2 && (h[0] & 0xff) == 0x1f && (h[1] & 0xff) == 0x8b) {
      return TAR_GZIP;
    }
    if (h.length >= 6 && (h[0] & 0xff) == 0xfd && h[1] == '7' && h[2] == 'z' && h[3] == 'X' && h[4] == 'Z'
        && h[5] == 0) {
      return TAR_XZ;
    }
    if (h.length >= 4 && (h[0] & 0xff) == 0x28 && (h[1] & 0xff) == 0xb5 && (h[2] & 0xff) == 0x2f
        && (h[3] & 0xff) == 0xfd) {
      return TAR_ZSTD;
    }
    if (h.length >= 4 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9') {
      return TAR_BZIP2;
    }
    return null;
  }

  /** The decompressed stream of a compressed tar ({@code raw} as is for {@link #TAR}); not for {@link #ZIP}. */
  static InputStream decompress(ArchiveFormat format, InputStream raw) throws IOException {
    return switch (format) {
      case TAR -> raw;
      case TAR_GZIP -> GzipCompressorInputStream.builder().setInputStream(raw).setDecompressConcatenated(true).get();
      case TAR_XZ -> new XZCompressorInputStream(raw, true);
      case TAR_ZSTD -> new ZstdCompressorInputStream(raw);
      case TAR_BZIP2 -> new BZip2CompressorInputStream(raw, true);
      case ZIP -> throw new IllegalArgumentException("a zip is not a compressed stream");
    };
  }
}
