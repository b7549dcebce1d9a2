package dev.strata.ingest.chunk;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads an artifact's content: the file opened read-only without following a symlink ({@code O_RDONLY|O_NOFOLLOW};
 * Java cannot ask for {@code O_NOATIME}, so mount evidence {@code ro,noatime} to keep atimes), decompressed when gzip
 * (concatenated members included) with bounds against gzip bombs: at most {@code maxContentBytes} of content, and at
 * most {@code maxRatio} content bytes per compressed byte once {@code graceBytes} of content were produced.
 *
 * <p>Optionally digests the raw (as stored) bytes; call {@link #drainRaw()} after the content's end so that bytes
 * after the last gzip member are digested too.
 */
public final class ContentReader extends InputStream {
  public static final int GZIP_BUFFER = 64 * 1024;

  /** Limits for decompressed content. */
  public record GzipLimits(long maxContentBytes, double maxRatio, long graceBytes) {
    public static final GzipLimits NONE = new GzipLimits(Long.MAX_VALUE, Double.MAX_VALUE, Long.MAX_VALUE);
  }

  private final RawStream raw;
  private final InputStream content;
  private final boolean gzip;
  private final GzipLimits limits;
  private long contentBytes;

  private ContentReader(RawStream raw, boolean gzip, GzipLimits limits) throws IOException {
    this.raw = raw;
    this.gzip = gzip;
    this.limits = limits;
    if (gzip) {
      try {
        this.content = new GZIPInputStream(raw, GZIP_BUFFER);
      } catch (ZipException | EOFException e) {
        raw.close();
        throw new CorruptGzipException("not a valid gzip stream: " + e.getMessage(), e);
      }
    } else {
      this.content = raw;
    }
  }

  /**
   * @param rawDigest digests the raw bytes (null: none)
   */
  public static ContentReader open(Path file, boolean gzip, GzipLimits limits, MessageDigest rawDigest)
      throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    return new ContentReader(new RawStream(Channels.newInputStream(ch), rawDigest), gzip, limits);
  }

  /** Whether the file starts with the gzip magic {@code 1f 8b}. */
  public static boolean isGzip(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // fill
      }
      return b.position() == 2 && (b.get(0) & 0xff) == 0x1f && (b.get(1) & 0xff) == 0x8b;
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    if (!gzip) {
      n = content.read(b, off, len);
    } else {
      try {
        n = content.read(b, off, len);
      } catch (ZipException | EOFException e) {
        throw new CorruptGzipException(
            "corrupt gzip stream after " + contentBytes + " bytes of content: " + e.getMessage(), e);
      }
    }
    if (n > 0) {
      contentBytes += n;
      if (gzip) {
        checkLimits();
      }
    }
    return n;
  }

  private void checkLimits() throws TooLargeDecompressedException {
    if (contentBytes > limits.maxContentBytes()) {
      throw new TooLargeDecompressedException(
          "decompressed content exceeds max_content_bytes=" + limits.maxContentBytes());
    }
    if (contentBytes > limits.graceBytes() && contentBytes > limits.maxRatio() * Math.max(1, raw.count)) {
      throw new TooLargeDecompressedException(
          "decompression ratio exceeds max_gzip_ratio=" + limits.maxRatio() + " (" + contentBytes
              + " bytes of content from " + raw.count + " compressed bytes)");
    }
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] tmp = new byte[(int) Math.min(n, 64 * 1024)];
    long left = n;
    while (left > 0) {
      int r = read(tmp, 0, (int) Math.min(left, tmp.length));
      if (r < 0) {
        break;
      }
      left -= r;
    }
    return n - left;
  }

  /** Content bytes read so far. */
  public long contentBytes() {
    return contentBytes;
  }

  /** Raw (as stored) bytes read from the file so far. */
  public long rawBytes() {
    return raw.count;
  }

  /** Reads the remaining raw bytes (digesting them), e.g. bytes after the last gzip member. */
  public void drainRaw() throws IOException {
    byte[] tmp = new byte[64 * 1024];
    while (raw.read(tmp, 0, tmp.length) >= 0) {
      // digest and count
    }
  }

  @Override
  public void close() throws IOException {
    content.close();
  }

  /** The file's bytes as stored, counted and optionally digested. */
  private static final class RawStream extends InputStream {
    private final InputStream in;
    private final MessageDigest digest;
    long count;

    RawStream(InputStream in, MessageDigest digest) {
      this.in = in;
      this.digest = digest;
    }

    @Override
    public int read() throws IOException {
      int c = in.read();
      if (c >= 0) {
        count++;
        if (digest != null) {
          digest.update((byte) c);
        }
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
        if (digest != null) {
          digest.update(b, off, n);
        }
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
