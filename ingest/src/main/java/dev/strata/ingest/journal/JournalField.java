package dev.strata.ingest.journal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One field of a journal entry: a DATA object's payload {@code FIELD=value}, decompressed. The value is bytes (the
 * journal is binary-safe); {@link #text()} reads it as UTF-8.
 */
public final class JournalField {
  private final String name;
  private final byte[] payload;
  private final int valueOffset;
  /** {@code "NAME":value} as {@link JournalJson} writes it, kept once made (entries share their DATA objects). */
  byte[] json;
  /** More than one entry links the DATA object (its n_entries), so its JSON is worth keeping. */
  boolean shared = true;

  JournalField(String name, byte[] payload, int valueOffset) {
    this.name = name;
    this.payload = payload;
    this.valueOffset = valueOffset;
  }

  /** A field made by hand (tests, other sources). */
  public static JournalField of(String name, byte[] value) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] p = Arrays.copyOf(n, n.length + 1 + value.length);
    p[n.length] = '=';
    System.arraycopy(value, 0, p, n.length + 1, value.length);
    return new JournalField(name, p, n.length + 1);
  }

  public String name() {
    return name;
  }

  /** A copy of the value's bytes. */
  public byte[] value() {
    return Arrays.copyOfRange(payload, valueOffset, payload.length);
  }

  /** The whole payload {@code FIELD=value} (not copied: do not modify). */
  byte[] payload() {
    return payload;
  }

  int valueOffset() {
    return valueOffset;
  }

  public int valueLength() {
    return payload.length - valueOffset;
  }

  /** The value as UTF-8 text (malformed bytes replaced). */
  public String text() {
    return new String(payload, valueOffset, payload.length - valueOffset, StandardCharsets.UTF_8);
  }

  /** True when the value equals {@code s} (UTF-8). */
  public boolean valueEquals(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return Arrays.equals(payload, valueOffset, payload.length, b, 0, b.length);
  }

  /** Bytes held. */
  long size() {
    return payload.length + 48L;
  }

  @Override
  public String toString() {
    return name + "=" + text();
  }
}
