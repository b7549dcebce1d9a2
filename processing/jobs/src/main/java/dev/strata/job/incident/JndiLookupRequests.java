package dev.strata.job.incident;

import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP request carrying a JNDI lookup ({@code ${jndi:ldap://...}}) is the exploitation of Log4Shell (CVE-2021-44228,
 * CVE-2021-45046): log4j 2 before 2.15 resolves lookups in any logged text, so attackers put it in every header a web
 * app may log (User-Agent, Referer, X-Api-Version) and in the URL. The access line of such a request in a container's
 * log (OCSF HTTP Activity, {@code LogMessageReaders}) is the entry of the compromise whether or not the lookup
 * succeeded (an attempt is evidence, like a denied call). PodmanHostScenarioIT: the request's row was context, the
 * attack path started at the first use of the stolen credentials.
 *
 * <p>Read in the URL (percent-decoded), the user agent and the referrer ({@code http.referrer}), after undoing the
 * nested lookups scanners use to hide the keyword ({@code ${lower:j}}, {@code ${upper:N}}, {@code ${::-d}},
 * {@code ${env:X:-i}}, {@code ${date:'j'}}).
 */
final class JndiLookupRequests {
  private JndiLookupRequests() {}

  static final String REASON = "jndi_lookup_request";
  /** A lookup that evaluates to its last argument: lower / upper case, a default after {@code :-}, a date literal. */
  private static final Pattern NESTED =
      Pattern.compile("\\$\\{(?:(?:lower|upper):([^${}]*)|[^${}:]*(?::[^${}:]*)*?:-([^${}]*)|date:'([^${}']*)')\\}");
  private static final Pattern JNDI = Pattern.compile("\\$\\{jndi:", Pattern.CASE_INSENSITIVE);
  private static final int MAX = 16 * 1024;

  /** True when one of the request's logged values holds a JNDI lookup. */
  static boolean matches(EvidenceEvent e) {
    if (e.getClassUid() != 4002) return false;
    HttpRequest h = e.getHttpRequest();
    Map<String, String> u = e.getUnmapped();
    return h != null && (lookup(h.getUrl(), true) || lookup(h.getUserAgent(), false))
        || u != null && lookup(u.get("http.referrer"), true);
  }

  /** True when {@code s} (percent-decoded first when {@code url}) holds a JNDI lookup, nested lookups undone. */
  static boolean lookup(String s, boolean url) {
    if (s == null || s.indexOf('$') < 0 && (!url || s.indexOf('%') < 0)) return false;
    String t = s.length() > MAX ? s.substring(0, MAX) : s;
    if (url) {
      try {
        t = URLDecoder.decode(t.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException bad) {
        // a stray '%': read as written
      }
    }
    for (int i = 0; i < 8; i++) {
      if (JNDI.matcher(t).find()) return true;
      Matcher m = NESTED.matcher(t);
      StringBuilder b = new StringBuilder(t.length());
      boolean changed = false;
      while (m.find()) {
        String v = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        m.appendReplacement(b, Matcher.quoteReplacement(v.toLowerCase(Locale.ROOT)));
        changed = true;
      }
      if (!changed) return false;
      m.appendTail(b);
      t = b.toString();
    }
    return JNDI.matcher(t).find();
  }
}
