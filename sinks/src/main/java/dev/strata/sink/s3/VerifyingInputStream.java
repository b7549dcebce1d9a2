package dev.strata.sink.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes what is read; at end of stream throws {@link EvidenceIntegrityException} if the SHA-256 (or, when known,
 * the size) differs from what is expected. {@code skip} reads through the bytes so they are hashed too; mark/reset
 * is not supported.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final String key;
  private final String expectedSha256;
  private final long expectedSize;
  private final MessageDigest digest = Sha256.newDigest();
  private long count;
  private boolean verified;

  VerifyingInputStream(InputStream in, String key, String expectedSha256, long expectedSize) {
    super(in);
    this.key = key;
    this.expectedSha256 = expectedSha256;
    this.expectedSize = expectedSize;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b < 0) {
      atEof();
    } else {
      digest.update((byte) b);
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    if (n < 0) {
      atEof();
    } else if (n > 0) {
      digest.update(buf, off, n);
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  private void atEof() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    String actual = HexFormat.of().formatHex(digest.digest());
    if (expectedSize >= 0 && count != expectedSize) {
      throw new EvidenceIntegrityException(key + ": read " + count + " bytes, expected " + expectedSize
          + " (sha256 of what was read: " + actual + ")", expectedSha256, actual);
    }
    if (!actual.equals(expectedSha256)) {
      throw new EvidenceIntegrityException(key + ": sha256 of the stored bytes is " + actual + ", expected "
          + expectedSha256, expectedSha256, actual);
    }
  }
}
