package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One value of a detection field, compiled with its modifiers. {@link #test} gets every value the field names in the
 * record (empty when the field is absent) and answers whether any of them matches.
 */
public sealed interface ValueTest extends Serializable {
  boolean test(List<JsonNode> found, SigmaRecord r);

  /** The text Sigma compares with: strings as they are, numbers and booleans as written, objects as compact JSON. */
  static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isValueNode()) return n.asText();
    return n.toString();
  }

  /** A string value (wildcards, contains / startswith / endswith, encodings already applied). */
  record Str(Glob glob) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      boolean lower = glob.readsLowerCase();
      for (JsonNode n : found) {
        String t = text(n);
        if (t != null && glob.matches(t, lower ? r.lowerCase(n, t) : t)) return true;
      }
      return false;
    }
  }

  /** A number without modifiers: equal as a number (1 = 1.0 = "1"), or equal as text. */
  record Num(double value, String written) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode n : found) {
        String t = text(n);
        if (t == null) continue;
        if (t.equalsIgnoreCase(written)) return true;
        Double d = number(n);
        if (d != null && d == value) return true;
      }
      return false;
    }
  }

  /** A boolean without modifiers: true / false, also written as text. */
  record Bool(boolean value) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode n : found) {
        if (n.isBoolean() ? n.booleanValue() == value : Boolean.toString(value).equalsIgnoreCase(text(n))) return true;
      }
      return false;
    }
  }

  /** {@code null}: the field is absent or null. */
  record Null() implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      if (found.isEmpty()) return true;
      for (JsonNode n : found) if (n.isNull()) return true;
      return false;
    }
  }

  /** {@code exists: true|false}: the field is present with a non-null value, or not. */
  record Exists(boolean expected) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      boolean present = false;
      for (JsonNode n : found) present |= !n.isNull();
      return present == expected;
    }
  }

  /** {@code gt / gte / lt / lte}: numeric comparison (numbers, or text that is a number). */
  record Compare(String op, double value) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode n : found) {
        Double d = number(n);
        if (d == null) continue;
        boolean ok = switch (op) {
          case "gt" -> d > value;
          case "gte" -> d >= value;
          case "lt" -> d < value;
          default -> d <= value;
        };
        if (ok) return true;
      }
      return false;
    }
  }

  /**
   * {@code re} (with i / m / s): found anywhere in the value unless the expression anchors itself. An expression that
   * starts with {@code .*} / {@code .+} is tried at the start only when the value has no line break (or with {@code
   * s}): the leading dots then reach every later start, and {@code find()} would retry each start (quadratic in the
   * value's length: 3x the cost of all other rules on CloudTrail records, for the SigmaHQ rule
   * aws_cloudtrail_imds_malicious_usage alone).
   */
  record Regex(Pattern pattern, boolean leadingDots) implements ValueTest {
    Regex(Pattern pattern) {
      this(pattern, (pattern.pattern().startsWith(".*") || pattern.pattern().startsWith(".+"))
          && (pattern.flags() & Pattern.MULTILINE) == 0);
    }

    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode n : found) {
        String t = text(n);
        if (t == null) continue;
        var m = pattern.matcher(t);
        boolean fromStart = leadingDots && ((pattern.flags() & Pattern.DOTALL) != 0 || !hasLineBreak(t));
        if (fromStart ? m.lookingAt() : m.find()) return true;
      }
      return false;
    }

    private static boolean hasLineBreak(String t) {
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') return true;
      }
      return false;
    }
  }

  /** {@code cidr}: an IPv4 / IPv6 address inside the block (values that are not address literals never match). */
  record Cidr(byte[] network, int bits, String written) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode n : found) {
        byte[] a = IpLiteral.parse(text(n));
        if (a != null && a.length == network.length && IpLiteral.inside(a, network, bits)) return true;
      }
      return false;
    }
  }

  /**
   * {@code fieldref}: compared with the values of another field of the same record (equal, or with startswith /
   * endswith / contains: the other value as the needle); case-insensitive unless {@code cased}.
   */
  record FieldRef(String other, boolean before, boolean after, boolean cased) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (JsonNode o : r.values(other)) {
        String needle = text(o);
        if (needle == null) continue;
        Glob g = Glob.of(needle, cased, before, after, false);
        for (JsonNode n : found) {
          String t = text(n);
          if (t != null && g.matches(t)) return true;
        }
      }
      return false;
    }
  }

  /** The forms of one value (windash, base64offset): matches when any form does. */
  record AnyOf(List<ValueTest> forms) implements ValueTest {
    @Override
    public boolean test(List<JsonNode> found, SigmaRecord r) {
      for (ValueTest t : forms) if (t.test(found, r)) return true;
      return false;
    }
  }

  private static Double number(JsonNode n) {
    if (n.isNumber()) return n.doubleValue();
    if (n.isTextual()) {
      String s = n.asText().trim();
      if (s.isEmpty() || s.length() > 40) return null;
      char c = s.charAt(0);
      if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) return null;
      try {
        return Double.parseDouble(s.toLowerCase(Locale.ROOT));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
