package dev.strata.ingest.recognize;

/**
 * The first bytes of an artifact's content (decompressed when the artifact is gzip), for recognition.
 *
 * @param bytes at most {@link #SIZE} bytes
 * @param complete the whole content fits in {@code bytes}
 * @param gzip the artifact is gzip-compressed
 */
public record ContentSample(byte[] bytes, boolean complete, boolean gzip) {
  public static final int SIZE = 64 * 1024;

  public static ContentSample of(String text) {
    return new ContentSample(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), true, false);
  }

  /** Index of the first byte that is not JSON whitespace or a UTF-8 BOM, or -1. */
  public int firstSignificant() {
    for (int i = 0; i < bytes.length; i++) {
      int c = bytes[i] & 0xff;
      if (!(c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF)) {
        return i;
      }
    }
    return -1;
  }
}
