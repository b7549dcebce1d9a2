package dev.strata.parse;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code key=value, key=value} list that the Docker and Podman CLIs print in parentheses after an event
 * ({@code docker events}, {@code podman events} without {@code --format}). A value may itself hold ", " (a label
 * value): a new key starts after ", " only where the text looks like {@code key=}.
 */
public final class AttributeList {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_./-][^=,()]*=");

  private AttributeList() {}

  /** Whether {@code s} starts like an attribute list ({@code key=...}). */
  public static boolean startsLikeOne(CharSequence s) {
    return KEY.matcher(s).lookingAt();
  }

  /** Puts the keys and values of {@code s} (the text between the parentheses) into {@code into}. */
  public static void parse(String s, Map<String, String> into) {
    String key = null;
    StringBuilder val = new StringBuilder();
    int i = 0;
    while (i <= s.length()) {
      int comma = s.indexOf(", ", i);
      String part = comma < 0 ? s.substring(i) : s.substring(i, comma);
      Matcher k = KEY.matcher(part);
      if (k.lookingAt() || key == null) {
        if (key != null) into.put(key, val.toString());
        int eq = part.indexOf('=');
        key = eq >= 0 ? part.substring(0, eq) : part;
        val.setLength(0);
        if (eq >= 0) val.append(part, eq + 1, part.length());
      } else {
        val.append(", ").append(part);
      }
      if (comma < 0) break;
      i = comma + 2;
    }
    if (key != null && !key.isEmpty()) into.put(key, val.toString());
  }
}
