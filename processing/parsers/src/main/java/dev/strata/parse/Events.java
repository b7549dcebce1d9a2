package dev.strata.parse;

import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;

/** Small helpers for filling events consistently. */
public final class Events {

  /** unmapped key under which parse warnings go (bad values that did not cost the record). */
  public static final String WARNING_KEY = "strata.warning";

  private Events() {}

  /** Adds a warning to {@code unmapped["strata.warning"]} (several are joined with "; "). */
  public static void warn(EvidenceEvent e, String warning) {
    Map<String, String> u = e.getUnmapped();
    String prev = u.get(WARNING_KEY);
    u.put(WARNING_KEY, prev == null ? warning : prev + "; " + warning);
  }

  /** Puts a value into unmapped if it is not null. */
  public static void unmapped(EvidenceEvent e, String key, String value) {
    if (value != null) e.getUnmapped().put(key, value);
  }

  /** Short, single-line excerpt of a value for messages and warnings. */
  public static String excerpt(String s, int max) {
    if (s == null) return "null";
    String t = s.length() > max ? s.substring(0, max) + "..." : s;
    return t.replace('\n', ' ').replace('\r', ' ');
  }
}
