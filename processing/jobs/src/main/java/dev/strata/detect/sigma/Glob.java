package dev.strata.detect.sigma;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A Sigma string value: {@code *} any characters, {@code ?} one character, {@code \} escapes {@code *}, {@code ?}
 * and itself (a backslash before any other character is literal; {@code \\} is one backslash). Case-insensitive
 * unless {@code cased}. Compiled to the cheapest test: equals, starts/ends with, contains, any value, or a regex.
 */
public final class Glob implements Serializable {
  private static final long serialVersionUID = 1L;

  enum Kind { EQUALS, PREFIX, SUFFIX, CONTAINS, ANY, REGEX }

  private final Kind kind;
  private final String literal; // lower case unless cased
  private final Pattern regex;
  private final boolean cased;
  private final String source;

  private Glob(Kind kind, String literal, Pattern regex, boolean cased, String source) {
    this.kind = kind;
    this.literal = literal;
    this.regex = regex;
    this.cased = cased;
    this.source = source;
  }

  /** A value as written in a rule (wildcards active). */
  public static Glob of(String value, boolean cased) {
    return compile(tokens(value), cased, value);
  }

  /** A value taken literally (no wildcards: encoded values, field references). */
  public static Glob literal(String value, boolean cased) {
    List<Object> t = new ArrayList<>();
    if (!value.isEmpty()) t.add(value);
    return compile(t, cased, value);
  }

  /** The same test wrapped in wildcards: {@code contains} = both sides, {@code startswith} = after, ... */
  static Glob of(String value, boolean cased, boolean wildcardBefore, boolean wildcardAfter, boolean wildcards) {
    List<Object> t = new ArrayList<>();
    if (wildcardBefore) t.add(STAR);
    if (wildcards) {
      t.addAll(tokens(value));
    } else if (!value.isEmpty()) {
      t.add(value);
    }
    if (wildcardAfter) t.add(STAR);
    return compile(merge(t), cased, value);
  }

  private static final Object STAR = new Object();
  private static final Object ONE = new Object();

  /** Literal runs (String) and wildcards (STAR, ONE). */
  static List<Object> tokens(String v) {
    List<Object> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(i + 1);
        if (n == '*' || n == '?' || n == '\\') {
          lit.append(n);
          i++;
          continue;
        }
        lit.append(c);
      } else if (c == '*' || c == '?') {
        if (lit.length() > 0) {
          out.add(lit.toString());
          lit.setLength(0);
        }
        out.add(c == '*' ? STAR : ONE);
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) out.add(lit.toString());
    return merge(out);
  }

  /** Adjacent stars are one star. */
  private static List<Object> merge(List<Object> t) {
    List<Object> out = new ArrayList<>(t.size());
    for (Object o : t) {
      if (o == STAR && !out.isEmpty() && out.get(out.size() - 1) == STAR) continue;
      out.add(o);
    }
    return out;
  }

  private static Glob compile(List<Object> t, boolean cased, String source) {
    int n = t.size();
    if (n == 0) return new Glob(Kind.EQUALS, "", null, cased, source);
    if (!t.contains(ONE)) {
      if (n == 1 && t.get(0) == STAR) return new Glob(Kind.ANY, "", null, cased, source);
      if (n == 1) return new Glob(Kind.EQUALS, norm((String) t.get(0), cased), null, cased, source);
      if (n == 2 && t.get(1) == STAR && t.get(0) instanceof String s) {
        return new Glob(Kind.PREFIX, norm(s, cased), null, cased, source);
      }
      if (n == 2 && t.get(0) == STAR && t.get(1) instanceof String s) {
        return new Glob(Kind.SUFFIX, norm(s, cased), null, cased, source);
      }
      if (n == 3 && t.get(0) == STAR && t.get(2) == STAR && t.get(1) instanceof String s) {
        return new Glob(Kind.CONTAINS, norm(s, cased), null, cased, source);
      }
    }
    StringBuilder re = new StringBuilder();
    for (Object o : t) {
      if (o == STAR) re.append(".*");
      else if (o == ONE) re.append('.');
      else re.append(Pattern.quote((String) o));
    }
    int flags = Pattern.DOTALL | (cased ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    return new Glob(Kind.REGEX, null, Pattern.compile(re.toString(), flags), cased, source);
  }

  private static String norm(String s, boolean cased) {
    return cased ? s : s.toLowerCase(Locale.ROOT);
  }

  /** Whether the text matches; {@code lower} is the text in lower case (computed once per value by the caller). */
  boolean matches(String text, String lower) {
    String t = cased ? text : lower;
    return switch (kind) {
      case EQUALS -> t.equals(literal);
      case PREFIX -> t.startsWith(literal);
      case SUFFIX -> t.endsWith(literal);
      case CONTAINS -> t.contains(literal);
      case ANY -> true;
      case REGEX -> regex.matcher(text).matches();
    };
  }

  boolean matches(String text) {
    return matches(text, cased ? text : text.toLowerCase(Locale.ROOT));
  }

  /** Whether {@link #matches(String, String)} reads the lower-case text. */
  boolean readsLowerCase() {
    return !cased && kind != Kind.ANY && kind != Kind.REGEX;
  }

  /** The lower-case literal when this is a plain case-insensitive equality (rule indexing), else null. */
  String exactLowerCase() {
    return kind == Kind.EQUALS && !cased ? literal : null;
  }

  @Override
  public String toString() {
    return source;
  }
}
