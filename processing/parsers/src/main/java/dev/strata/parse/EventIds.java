package dev.strata.parse;

import dev.strata.schema.deadletter.Stage;
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
 */
public final class EventIds {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

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
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return new String(out, StandardCharsets.ISO_8859_1);
  }

  /**
   * Event ids for one artifact, without per-id allocation of the input text. Not thread-safe: one per chunk (or per
   * thread).
   */
  public static final class Generator {
    private static final int BLOCK = 64; // SHA-256 block size

    private final MessageDigest md = sha256();
    private final byte[] prefix;
    private final byte[] buf = new byte[64];
    /** The digest after the prefix's first whole block (the artifact hash), cloned per id; null if unclonable. */
    private final MessageDigest afterFirstBlock;

    public Generator(String artifactSha256) {
      this.prefix = ((artifactSha256 == null ? "" : artifactSha256) + "|").getBytes(StandardCharsets.UTF_8);
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

    public String eventId(long byteOffset, long recordIndex, int subIndex) {
      MessageDigest d = md;
      if (afterFirstBlock != null) {
        try {
          d = (MessageDigest) afterFirstBlock.clone(); // the same hash, one compression less per id
          d.update(prefix, BLOCK, prefix.length - BLOCK);
        } catch (CloneNotSupportedException e) {
          throw new IllegalStateException(e); // it cloned in the constructor
        }
      } else {
        d.update(prefix);
      }
      int n = writeLong(buf, 0, byteOffset);
      buf[n++] = '|';
      n = writeLong(buf, n, recordIndex);
      buf[n++] = '|';
      n = writeLong(buf, n, subIndex);
      d.update(buf, 0, n);
      return hex(d.digest());
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
      int start = pos;
      do {
        b[pos++] = (byte) ('0' + (v % 10));
        v /= 10;
      } while (v != 0);
      for (int i = start, j = pos - 1; i < j; i++, j--) {
        byte t = b[i];
        b[i] = b[j];
        b[j] = t;
      }
      return pos;
    }
  }
}
