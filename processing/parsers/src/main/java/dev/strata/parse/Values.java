package dev.strata.parse;

import java.util.Map;

/**
 * Small text helpers the mappers share: empty-to-null, first non-empty, and values cut to {@link #MAX_CHARS} on
 * their way into an event's unmapped map.
 */
public final class Values {

  /** Longest value kept (characters); a longer one is cut to its first {@code MAX_CHARS} characters. */
  public static final int MAX_CHARS = 64 * 1024;

  private Values() {}

  /** {@code s} cut to {@link #MAX_CHARS}; null stays null. */
  public static String cut(String s) {
    return s != null && s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
  }

  /** Null for null or empty, else {@code s}. */
  public static String blank(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * {@link String#isBlank} (null: true), answered by the first character for the usual value: one that starts with a
   * printable ASCII character is not blank, without the whitespace scan.
   */
  public static boolean isBlank(String s) {
    if (s == null || s.isEmpty()) return true;
    char first = s.charAt(0);
    return (first <= ' ' || first >= 0x7f) && s.isBlank();
  }

  /** The first of {@code v} that is neither null nor empty, or null. */
  public static String first(String... v) {
    for (String s : v) {
      if (s != null && !s.isEmpty()) return s;
    }
    return null;
  }

  /** Puts {@code v} {@link #cut} under {@code k}, unless it is null (an empty value is kept). */
  public static void put(Map<String, String> u, String k, String v) {
    if (v != null) u.put(k, cut(v));
  }
}
