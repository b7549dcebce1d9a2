package dev.strata.parse.daemonlog;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * logfmt as logrus' TextFormatter writes it (dockerd, containerd): {@code key=value} pairs separated by spaces; a
 * value is bare (up to the next space) or double-quoted with Go escapes ({@code \" \\ \n \t \r \a \b \f \v \xNN
 * \\uNNNN \UNNNNNNNN} and octal {@code \NNN}); a key without {@code =} has the empty value. An unterminated quoted
 * value (a line cut in the middle) takes the rest of the line and sets {@link Result#unterminated}.
 */
public final class Logfmt {

  private Logfmt() {}

  /**
   * @param fields the pairs in order (a repeated key: last one wins)
   * @param complete every token was a key (with or without a value)
   * @param unterminated the last quoted value had no closing quote
   */
  public record Result(Map<String, String> fields, boolean complete, boolean unterminated) {}

  public static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'
        || c == '-' || c == '/' || c == '@';
  }

  /** True if {@code s} at {@code i} starts with {@code key=} (a key of logfmt's key characters). */
  public static boolean startsPair(String s, int i) {
    int j = i;
    while (j < s.length() && isKeyChar(s.charAt(j))) j++;
    return j > i && j < s.length() && s.charAt(j) == '=';
  }

  public static Result parse(String s) {
    return parse(s, 0);
  }

  public static Result parse(String s, int from) {
    Map<String, String> out = new LinkedHashMap<>(8);
    int n = s.length();
    int i = from;
    boolean complete = true;
    boolean unterminated = false;
    StringBuilder sb = null;
    while (i < n) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
        continue;
      }
      int ks = i;
      while (i < n && isKeyChar(s.charAt(i))) i++;
      if (i == ks) {
        // not a key: skip the token
        complete = false;
        while (i < n && s.charAt(i) != ' ') i++;
        continue;
      }
      String key = s.substring(ks, i);
      if (i >= n || s.charAt(i) == ' ' || s.charAt(i) == '\t') {
        out.put(key, "");
        continue;
      }
      if (s.charAt(i) != '=') {
        complete = false;
        while (i < n && s.charAt(i) != ' ') i++;
        continue;
      }
      i++; // '='
      if (i < n && s.charAt(i) == '"') {
        i++;
        if (sb == null) sb = new StringBuilder(64);
        sb.setLength(0);
        boolean closed = false;
        while (i < n) {
          char d = s.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n) {
            i = unescape(s, i + 1, sb);
            continue;
          }
          sb.append(d);
          i++;
        }
        if (!closed) unterminated = true;
        out.put(key, sb.toString());
      } else {
        int vs = i;
        while (i < n && s.charAt(i) != ' ' && s.charAt(i) != '\t') i++;
        out.put(key, s.substring(vs, i));
      }
    }
    return new Result(out, complete, unterminated);
  }

  /** Decodes the escape whose letter is at {@code i}; returns the index after it. */
  private static int unescape(String s, int i, StringBuilder sb) {
    char e = s.charAt(i);
    switch (e) {
      case 'n' -> sb.append('\n');
      case 't' -> sb.append('\t');
      case 'r' -> sb.append('\r');
      case 'a' -> sb.append('\u0007');
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'v' -> sb.append('\u000b');
      case '\\' -> sb.append('\\');
      case '"' -> sb.append('"');
      case '\'' -> sb.append('\'');
      case 'x' -> {
        return hex(s, i, 2, sb);
      }
      case 'u' -> {
        return hex(s, i, 4, sb);
      }
      case 'U' -> {
        return hex(s, i, 8, sb);
      }
      default -> {
        if (e >= '0' && e <= '7' && i + 2 < s.length()) {
          int v = 0;
          for (int k = 0; k < 3; k++) {
            char d = s.charAt(i + k);
            if (d < '0' || d > '7') {
              sb.append('\\').append(e);
              return i + 1;
            }
            v = v * 8 + (d - '0');
          }
          sb.append((char) (v & 0xff));
          return i + 3;
        }
        sb.append('\\').append(e); // unknown escape: kept as written
      }
    }
    return i + 1;
  }

  private static int hex(String s, int i, int digits, StringBuilder sb) {
    if (i + digits >= s.length()) {
      sb.append('\\').append(s.charAt(i));
      return i + 1;
    }
    int v = 0;
    for (int k = 1; k <= digits; k++) {
      int d = Character.digit(s.charAt(i + k), 16);
      if (d < 0) {
        sb.append('\\').append(s.charAt(i));
        return i + 1;
      }
      v = v * 16 + d;
    }
    if (Character.isValidCodePoint(v)) sb.appendCodePoint(v);
    else sb.append('\uFFFD');
    return i + 1 + digits;
  }
}
