package dev.strata.parse;

import dev.strata.schema.deadletter.Stage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic ids, so re-processing the same evidence yields the same ids (and sinks that use them as document
 * keys never duplicate).
 *
 * <pre>
 * event_id       = lowercase hex SHA-256 of UTF-8 "{artifact_sha256}|{byte_offset}|{record_index}|{sub_index}"
 * dead_letter_id = lowercase hex SHA-256 of UTF-8
 *                  "dl|{artifact_sha256}|{chunk_index}|{byte_offset}|{record_index}|{stage}|{reason}"
 * </pre>
 *
 * Numbers are written in decimal; a null value is written as the empty string. {@code byte_offset} is relative to
 * the artifact's content, {@code sub_index} tells apart several events made from one record (0 for the first).
 *
 * <p>Unhashed event ids (formats with many small events per artifact, e.g. the packages of an SBOM, where a SHA-256
 * per event costs more than reading the package): the same shape (64 lowercase hex digits), no hashing:
 *
 * <pre>
 * event_id = artifact_sha256[0, 32) + hex12(byte_offset) + hex12(record_index) + hex8(sub_index)
 * </pre>
 *
 * (fixed-width lowercase hex of the low 48 / 48 / 32 bits), unique within the artifact by position and across artifacts
 * by the 128-bit artifact hash prefix.
 */
public final class EventIds {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final VarHandle INTS_BE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONGS_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** "00" to "99": the two digits of n at 2n, 2n + 1. */
  private static final byte[] DIGIT_PAIRS = new byte[200];

  static {
    for (int n = 0; n < 100; n++) {
      DIGIT_PAIRS[2 * n] = (byte) ('0' + n / 10);
      DIGIT_PAIRS[2 * n + 1] = (byte) ('0' + n % 10);
    }
  }

  private EventIds() {}

  /** The event id of the {@code subIndex}-th event made from the record at {@code byteOffset}. */
  public static String eventId(String artifactSha256, long byteOffset, long recordIndex, int subIndex) {
    return new Generator(artifactSha256).eventId(byteOffset, recordIndex, subIndex);
  }

  /** The dead letter id: artifact, chunk, offset, record, stage and reason. */
  public static String deadLetterId(
      String artifactSha256, Integer chunkIndex, Long byteOffset, Long recordIndex, Stage stage, String reason) {
    StringBuilder sb = new StringBuilder(128).append("dl|");
    sb.append(artifactSha256 == null ? "" : artifactSha256).append('|');
    if (chunkIndex != null) sb.append(chunkIndex.intValue());
    sb.append('|');
    if (byteOffset != null) sb.append(byteOffset.longValue());
    sb.append('|');
    if (recordIndex != null) sb.append(recordIndex.longValue());
    sb.append('|').append(stage == null ? "" : stage.name()).append('|').append(reason == null ? "" : reason);
    return sha256Hex(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Lowercase hex SHA-256 of {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    return sha256Hex(bytes, 0, bytes.length);
  }

  /** Lowercase hex SHA-256 of a byte range. */
  public static String sha256Hex(byte[] bytes, int off, int len) {
    MessageDigest md = sha256();
    md.update(bytes, off, len);
    return hex(md.digest());
  }

  /** Never updated: only cloned (a provider lookup per digest costs more than the ids of a small chunk). */
  private static final MessageDigest SHA256_PROTOTYPE = newSha256();

  static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA256_PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by the Java platform", e);
    }
  }

  static String hex(byte[] digest) {
    byte[] out = new byte[digest.length * 2];
    hex(digest, out);
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /** Lowercase hex of {@code in} into {@code out} (twice as long), four input bytes at a time. */
  static void hex(byte[] in, byte[] out) {
    int i = 0;
    for (; i + 4 <= in.length; i += 4) {
      // spread the eight nibbles of four bytes into eight bytes, most significant nibble first
      long t = Integer.toUnsignedLong((int) INTS_BE.get(in, i));
      t = (t | (t << 16)) & 0x0000FFFF0000FFFFL;
      t = (t | (t << 8)) & 0x00FF00FF00FF00FFL;
      t = (t | (t << 4)) & 0x0F0F0F0F0F0F0F0FL;
      t = Long.reverseBytes(t);
      long letters = ((t + 0x0606060606060606L) >>> 4) & 0x0101010101010101L; // 1 where the nibble is > 9
      LONGS_LE.set(out, 2 * i, t + 0x3030303030303030L + letters * ('a' - '0' - 10));
    }
    for (; i < in.length; i++) {
      out[2 * i] = HEX[(in[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[in[i] & 0xf];
    }
  }

  /**
   * Event ids for one artifact, without per-id allocation of the input text or the digest: the artifact prefix is
   * written once into a reusable buffer, the numbers after it, and the digest goes into a reusable array (one update,
   * one digest per id; the hex string is the only allocation). Not thread-safe: one per chunk (or per thread).
   */
  public static final class Generator {
    private static final int BLOCK = 64; // SHA-256 block size

    private final MessageDigest md = sha256();
    private final int prefixLength;
    /** The prefix ({artifact}|), then the numbers of the id being made. */
    private final byte[] buf;
    private final byte[] digest = new byte[32];
    private final byte[] hex = new byte[64];
    /** The digest after the prefix's first whole block (the artifact hash), cloned per id; null if unclonable. */
    private final MessageDigest afterFirstBlock;

    public Generator(String artifactSha256) {
      byte[] prefix = ((artifactSha256 == null ? "" : artifactSha256) + "|").getBytes(StandardCharsets.UTF_8);
      this.prefixLength = prefix.length;
      this.buf = java.util.Arrays.copyOf(prefix, prefix.length + 64); // + three numbers (<= 20 bytes each), 2 '|'
      MessageDigest first = null;
      if (prefix.length > BLOCK) {
        first = sha256();
        first.update(prefix, 0, BLOCK);
        try {
          first.clone();
        } catch (CloneNotSupportedException e) {
          first = null;
        }
      }
      this.afterFirstBlock = first;
    }

    /** The unhashed event id (see the class comment); the hashed one if the artifact id is not a SHA-256. */
    public String unhashedId(long byteOffset, long recordIndex, int subIndex) {
      if (prefixLength != 65) return eventId(byteOffset, recordIndex, subIndex);
      byte[] out = hex; // reused: the String copies it
      System.arraycopy(buf, 0, out, 0, 32); // buf starts with the artifact prefix
      hexFixed(out, 32, byteOffset, 12);
      hexFixed(out, 44, recordIndex, 12);
      hexFixed(out, 56, subIndex, 8);
      return new String(out, 0, 64, StandardCharsets.ISO_8859_1);
    }

    private static void hexFixed(byte[] out, int pos, long v, int digits) {
      for (int i = digits - 1; i >= 0; i--) {
        out[pos + i] = HEX[(int) (v & 0xf)];
        v >>>= 4;
      }
    }

    public String eventId(long byteOffset, long recordIndex, int subIndex) {
      byte[] b = buf;
      int n = writeLong(b, prefixLength, byteOffset);
      b[n++] = '|';
      n = writeLong(b, n, recordIndex);
      b[n++] = '|';
      n = writeLong(b, n, subIndex);
      MessageDigest d = md;
      int from = 0;
      if (afterFirstBlock != null) {
        try {
          d = (MessageDigest) afterFirstBlock.clone(); // the same hash, one compression less per id
          from = BLOCK;
        } catch (CloneNotSupportedException e) {
          throw new IllegalStateException(e); // it cloned in the constructor
        }
      }
      d.update(b, from, n - from);
      try {
        d.digest(digest, 0, 32);
      } catch (java.security.DigestException e) {
        throw new IllegalStateException("SHA-256 digest of 32 bytes", e);
      }
      hex(digest, hex);
      return new String(hex, 0, 64, StandardCharsets.ISO_8859_1);
    }

    /**
     * Lowercase hex SHA-256 of the UTF-8 of {@code parts} joined by NUL bytes: the id of a record that carries its
     * own identity (e.g. a Kubernetes audit ID and stage), so every copy of it maps to the same id.
     */
    public String keyedId(String... parts) {
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) md.update((byte) 0);
        md.update(parts[i].getBytes(StandardCharsets.UTF_8));
      }
      return hex(md.digest());
    }

    private static int writeLong(byte[] b, int pos, long v) {
      if (v == Long.MIN_VALUE) {
        byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, pos, s.length);
        return pos + s.length;
      }
      if (v < 0) {
        b[pos++] = '-';
        v = -v;
      }
      if (v < 10) { // sub-indexes, small record indexes
        b[pos] = (byte) ('0' + v);
        return pos + 1;
      }
      int end = pos + digits(v);
      int i = end;
      while (v >= 100) { // two digits per division
        long q = v / 100;
        int r = (int) (v - q * 100);
        b[--i] = DIGIT_PAIRS[2 * r + 1];
        b[--i] = DIGIT_PAIRS[2 * r];
        v = q;
      }
      if (v >= 10) {
        b[--i] = DIGIT_PAIRS[2 * (int) v + 1];
        b[--i] = DIGIT_PAIRS[2 * (int) v];
      } else {
        b[--i] = (byte) ('0' + v);
      }
      return end;
    }

    /** Decimal digits of v > 0. */
    private static int digits(long v) {
      int d = 1;
      for (long p = 10; d < 19 && v >= p; p *= 10) d++;
      return d;
    }
  }
}
