package dev.strata.parse.accesslog;

import dev.strata.parse.IpLiterals;
import dev.strata.parse.LogMessageReader;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.EvidenceEvent;

/**
 * Web server and proxy access log lines printed on a container's stdout/stderr, read into the log line's event as
 * OCSF 4002 HTTP Activity ({@link HttpAccess#applyTo}). The formats, as their owners define their defaults:
 *
 * <ul>
 *   <li>{@code common} / {@code combined}: NCSA Common Log Format {@code %h %l %u %t "%r" %>s %b} and Apache's
 *       combined {@code ... "%{Referer}i" "%{User-Agent}i"}, which are also nginx's {@code combined}, gunicorn's
 *       default {@code access_log_format}, Node morgan's {@code common} / {@code combined}, Go gorilla/handlers'
 *       Common/CombinedLoggingHandler, Traefik's CLF prefix; {@code %h} an address or, with name lookups on, a name;
 *       the time {@code [10/Oct/2000:13:55:36 -0700]} (an ISO 8601 time in the brackets also, nginx
 *       {@code $time_iso8601}); fields a custom format appends after them are allowed and not read;
 *   <li>{@code vhost_combined}: Apache's {@code %v:%p } before combined;
 *   <li>{@code nginx_main}: the official nginx image's {@code main}, combined then {@code "$http_x_forwarded_for"};
 *   <li>{@code traefik_clf}: combined then {@code <requests> "<router>" "<server URL>" <duration>ms};
 *   <li>{@code envoy}: Envoy's default format ({@code [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%
 *       %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 *       %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%"
 *       "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"}: no peer address, the client is X-Forwarded-For's) and
 *       {@code istio}: Istio's default proxy format (adds response code details, connection termination details,
 *       upstream failure reason, and at the end upstream cluster, upstream local, downstream local and
 *       {@code %DOWNSTREAM_REMOTE_ADDRESS%} (the peer), SNI, route);
 *   <li>{@code uvicorn}: {@code INFO:     <addr>:<port> - "<request line>" <status> <phrase>} (uvicorn's access
 *       formatter; gunicorn with uvicorn workers prints gunicorn's format);
 *   <li>{@code gin}: Go Gin's default logger {@code [GIN] 2006/01/02 - 15:04:05 | 200 | 1.2ms | 1.2.3.4 | GET "/p"}
 *       (uncoloured; its address is Gin's ClientIP, X-Forwarded-For aware);
 *   <li>JSON ({@link JsonAccessLogs}): Caddy's access logger, Traefik's JSON access log, Go Echo's default logger.
 * </ul>
 *
 * A message is read only when it follows a grammar to its end (an unterminated quote, a missing status, a bad time:
 * not an access log line, the event stays as it was); "-" is "none".
 */
public final class AccessLogReader implements LogMessageReader {

  public static final AccessLogReader INSTANCE = new AccessLogReader();

  private AccessLogReader() {}

  @Override
  public boolean read(String message, EvidenceEvent ev) {
    HttpAccess a = parse(message);
    if (a == null) return false;
    a.applyTo(ev);
    return true;
  }

  /** The request a message states, or null when it is no access log line of a known format. */
  static HttpAccess parse(String m) {
    if (m == null || m.length() < 16) return null;
    try {
      char c = m.charAt(0);
      if (c == '{') return JsonAccessLogs.parse(m);
      if (c == '[') return m.startsWith("[GIN] ") ? gin(m) : envoy(m);
      if (c == 'I' && m.startsWith("INFO:")) return uvicorn(m);
      return clf(m);
    } catch (RuntimeException e) {
      return null; // not one of its lines after all
    }
  }

  // ---- NCSA common / combined and the formats built on them -----------------------------------------------------

  static HttpAccess clf(String m) {
    int br = m.indexOf(" [");
    if (br < 5 || br > 300) return null;
    int t1 = m.indexOf(' ');
    int t2 = m.indexOf(' ', t1 + 1);
    int t3 = t2 < 0 || t2 >= br ? -1 : m.indexOf(' ', t2 + 1);
    if (t2 < 0 || t2 >= br) return null;
    HttpAccess a = new HttpAccess();
    int hostStart = 0;
    if (t3 >= 0 && t3 < br) {
      // %v:%p %h %l %u
      if (m.indexOf(' ', t3 + 1) < br || !hostPort(m, 0, t1)) return null;
      a.host = m.substring(0, t1);
      a.format = "vhost_combined";
      hostStart = t1 + 1;
      t1 = t2;
      t2 = t3;
    }
    if (t1 - hostStart < 1 || t2 - t1 < 2 || br - t2 < 2) return null;
    a.peerIsIp = IpLiterals.isIp(m, hostStart, t1);
    if (!a.peerIsIp && !hostName(m, hostStart, t1)) return null;
    a.peer = m.substring(hostStart, t1);
    if (br - t2 != 2 || m.charAt(t2 + 1) != '-') a.user = m.substring(t2 + 1, br);
    Line l = new Line(m, br + 2);
    int close = m.indexOf(']', l.p);
    if (close < 0 || close - l.p > 40) return null;
    if (!clfTime(m, l.p, close)) {
      if (Timestamps.toMicros(m.substring(l.p, close)) == Timestamps.INVALID) return null;
    }
    a.time = m.substring(l.p, close);
    l.p = close + 1;
    if (!l.eat(' ')) return null;
    String request = l.quoted();
    if (request == null || !l.eat(' ')) return null;
    request(a, request);
    if ((a.status = l.status()) == null || !l.eat(' ')) return null;
    String bytes = l.token();
    if (bytes == null || (!bytes.equals("-") && (a.bytesSent = Line.number(bytes)) == null)) return null;
    if (a.format == null) a.format = "common";
    if (l.atEnd() || !l.eat(' ') || l.atEnd() || m.charAt(l.p) != '"') return a; // common (+ custom fields)
    String referrer = l.quoted();
    if (referrer == null || !l.eat(' ')) return null;
    String ua = l.quoted();
    if (ua == null) return null;
    a.referrer = HttpAccess.value(referrer);
    a.userAgent = HttpAccess.value(ua);
    if (a.format.equals("common")) a.format = "combined";
    if (l.atEnd() || !l.eat(' ')) return a;
    int rest = l.p;
    if (m.charAt(rest) == '"') {
      String xff = l.quoted();
      if (xff != null && forwardedList(xff)) {
        a.forwardedFor = HttpAccess.value(xff);
        a.format = "nginx_main";
      }
      return a;
    }
    // Traefik: <requests> "<router>" "<server URL>" <duration>ms
    String requests = l.digits();
    if (requests != null && l.eat(' ')) {
      String router = l.quoted();
      String server = router != null && l.eat(' ') ? l.quoted() : null;
      String duration = server != null && l.eat(' ') ? l.token() : null;
      if (duration != null && duration.endsWith("ms") && l.atEnd()) {
        a.format = "traefik_clf";
        a.upstream = HttpAccess.value(server);
        a.duration = duration;
        a.route = HttpAccess.value(router);
      }
    }
    return a;
  }

  /** "METHOD target HTTP/x" (or HTTP/0.9's "METHOD target"); anything else is kept as the request line. */
  static void request(HttpAccess a, String r) {
    int s1 = r.indexOf(' ');
    if (s1 > 0 && method(r, 0, s1)) {
      int s2 = r.lastIndexOf(' ');
      if (s2 > s1 + 1 && r.startsWith("HTTP/", s2 + 1)) {
        a.method = r.substring(0, s1);
        a.target = r.substring(s1 + 1, s2);
        a.version = r.substring(s2 + 1);
        return;
      }
      if (s2 == s1 && s1 + 1 < r.length()) {
        a.method = r.substring(0, s1);
        a.target = r.substring(s1 + 1);
        return;
      }
    }
    a.requestLine = HttpAccess.value(r);
  }

  static boolean method(String s, int from, int to) {
    if (to - from < 1 || to - from > 20) return false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z') && c != '-' && c != '_') return false;
    }
    return true;
  }

  /** {@code dd/Mon/yyyy:HH:MM:SS +hhmm} at [from, from + 26) of {@code s}. */
  static boolean clfTime(String s, int from, int to) {
    if (to - from != 26) return false;
    for (int i = 0; i < 26; i++) {
      char c = s.charAt(from + i);
      boolean ok = switch (i) {
        case 2, 6 -> c == '/';
        case 11, 14, 17 -> c == ':';
        case 20 -> c == ' ';
        case 21 -> c == '+' || c == '-';
        case 3 -> c >= 'A' && c <= 'Z';
        case 4, 5 -> c >= 'a' && c <= 'z';
        default -> c >= '0' && c <= '9';
      };
      if (!ok) return false;
    }
    return true;
  }

  /**
   * A DNS name with a dot (what %h is with HostnameLookups on: the peer's reverse name; %v a server name): letters,
   * digits, '-', '.', '_', with a letter.
   */
  static boolean hostName(String s, int from, int to) {
    if (to - from > 253 || s.indexOf('.', from) < 0 || s.indexOf('.', from) >= to) return false;
    boolean letter = false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        letter = true;
      } else if (!(c >= '0' && c <= '9') && c != '-' && c != '.' && c != '_') {
        return false;
      }
    }
    return letter;
  }

  /** {@code name:port} (Apache's %v:%p). */
  static boolean hostPort(String s, int from, int to) {
    int colon = s.lastIndexOf(':', to - 1);
    if (colon <= from || colon + 1 >= to) return false;
    for (int i = colon + 1; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return hostName(s, from, colon) || IpLiterals.isIp(s, from, colon);
  }

  /** "-" or addresses separated by commas (an X-Forwarded-For value). */
  static boolean forwardedList(String v) {
    if (v.equals("-")) return true;
    int a = 0;
    while (a <= v.length()) {
      int c = v.indexOf(',', a);
      int e = c < 0 ? v.length() : c;
      String part = v.substring(a, e).trim();
      if (part.startsWith("[") && part.indexOf(']') > 0) part = part.substring(1, part.indexOf(']'));
      if (!IpLiterals.isIp(part) && !(part.equals("unknown") && a > 0)) return false;
      if (c < 0) return true;
      a = c + 1;
    }
    return true;
  }

  // ---- Envoy / Istio --------------------------------------------------------------------------------------------

  static HttpAccess envoy(String m) {
    int close = m.indexOf("] \"");
    if (close < 11 || close > 40) return null;
    String time = m.substring(1, close);
    if (Timestamps.toMicros(time) == Timestamps.INVALID) return null;
    Line l = new Line(m, close + 2);
    String request = l.quoted();
    if (request == null) return null;
    String[] items = new String[24];
    boolean[] quoted = new boolean[24];
    int k = 0;
    while (!l.atEnd()) {
      if (!l.eat(' ') || k == items.length) return null;
      if (!l.atEnd() && m.charAt(l.p) == '"') {
        if ((items[k] = l.quoted()) == null) return null;
        quoted[k++] = true;
      } else {
        if ((items[k] = l.token()) == null) return null;
        quoted[k++] = false;
      }
    }
    HttpAccess a = new HttpAccess();
    a.time = time;
    int x; // index of the quoted X-Forwarded-For
    if (k == 11 && shape(quoted, "bbbbbbqqqqq")) {
      a.format = "envoy";
      a.bytesReceived = Line.number(items[2]);
      a.bytesSent = Line.number(items[3]);
      a.duration = items[4];
      x = 6;
    } else if (k == 20 && shape(quoted, "bbbbqbbbbqqqqqbbbbbb")) {
      a.format = "istio";
      a.bytesReceived = Line.number(items[5]);
      a.bytesSent = Line.number(items[6]);
      a.duration = items[7];
      x = 9;
      String remote = HttpAccess.value(items[17]);
      if (remote != null && !splitPeer(a, remote)) return null;
    } else {
      return null;
    }
    if (Line.number(items[0]) == null) return null;
    a.status = items[0];
    String xff = HttpAccess.value(items[x]);
    if (xff != null && !forwardedList(xff)) return null;
    a.forwardedFor = xff;
    a.userAgent = HttpAccess.value(items[x + 1]);
    a.host = HttpAccess.value(items[x + 3]);
    a.upstream = HttpAccess.value(items[x + 4]);
    request(a, request);
    return a;
  }

  private static boolean shape(boolean[] quoted, String shape) {
    for (int i = 0; i < shape.length(); i++) if (quoted[i] != (shape.charAt(i) == 'q')) return false;
    return true;
  }

  /** "address:port" ({@code [v6]:port}, or a bare IPv6 address whose last group is the port) into peer / port. */
  static boolean splitPeer(HttpAccess a, String addr) {
    String host;
    String port;
    if (addr.startsWith("[")) {
      int e = addr.indexOf("]:");
      if (e < 0) return false;
      host = addr.substring(1, e);
      port = addr.substring(e + 2);
    } else {
      int c = addr.lastIndexOf(':');
      if (c <= 0) return false;
      host = addr.substring(0, c);
      port = addr.substring(c + 1);
    }
    Long p = Line.number(port);
    if (!IpLiterals.isIp(host) || p == null || p > 65535) return false;
    a.peer = host;
    a.peerPort = p.intValue();
    return true;
  }

  // ---- uvicorn, Gin ---------------------------------------------------------------------------------------------

  static HttpAccess uvicorn(String m) {
    Line l = new Line(m, 5);
    l.spaces();
    String addr = l.token();
    HttpAccess a = new HttpAccess();
    if (addr == null || !splitPeer(a, addr) || !l.eat(" - ")) return null;
    String request = l.quoted();
    if (request == null || !l.eat(' ') || (a.status = l.status()) == null) return null;
    a.format = "uvicorn";
    request(a, request);
    return a.method == null ? null : a;
  }

  static HttpAccess gin(String m) {
    String[] parts = m.substring(6).split("\\|", 5);
    if (parts.length != 5) return null;
    HttpAccess a = new HttpAccess();
    a.time = parts[0].trim();
    String status = parts[1].trim();
    String ip = parts[3].trim();
    if (status.length() != 3 || Line.number(status) == null || !IpLiterals.isIp(ip)) return null;
    Line l = new Line(parts[4], 0);
    l.spaces();
    String method = l.token();
    l.spaces();
    String path = l.quoted();
    if (method == null || !method(method, 0, method.length()) || path == null || !l.atEnd()) return null;
    a.format = "gin";
    a.status = status;
    a.duration = parts[2].trim();
    a.peer = ip;
    a.method = method;
    a.target = path;
    return a;
  }
}
