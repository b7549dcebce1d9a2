package dev.strata.parse.accesslog;

import dev.strata.parse.IpLiterals;
import dev.strata.parse.OcsfClass;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.HttpRequest;
import dev.strata.schema.event.Network;
import java.util.Map;

/**
 * One request as an access log line states it, filled by a format's reader and then written into the log line's
 * event ({@link #applyTo}). Values are kept as the line wrote them ({@code "-"}, a format's "none", is null).
 */
final class HttpAccess {
  String format;
  /** The socket peer as the server saw it (address or, with name lookups on, a host name) and its port. */
  String peer;
  /** The peer is an address (not a name); null: not known yet. */
  Boolean peerIsIp;
  Integer peerPort;
  /** The client as the server itself resolved it behind trusted proxies (Caddy's client_ip), when it says so. */
  String client;
  /** X-Forwarded-For as written (the client and the proxies before the peer). */
  String forwardedFor;
  String method;
  String target;
  String version;
  /** The request line as written when it is not "METHOD target [HTTP/x]" (a TLS handshake on a plain port, "-"). */
  String requestLine;
  String status;
  Long bytesSent;
  Long bytesReceived;
  String referrer;
  String userAgent;
  String user;
  String host;
  String time;
  String duration;
  String upstream;
  String route;

  /**
   * Writes the request into the event: OCSF 4002 HTTP Activity (activity from the method), src_endpoint = the client
   * (the client the server resolved behind trusted proxies, else the first X-Forwarded-For address when the line
   * states one, the socket peer then being a proxy, kept in unmapped http.peer_ip; else the peer), http_request method / url (the target as written) / user_agent, status_code = the HTTP status,
   * network.bytes = the bytes sent to the client, direction Inbound; the rest in unmapped {@code http.*}.
   */
  void applyTo(EvidenceEvent ev) {
    int activity = activity(method);
    ev.setClassUid(OcsfClass.HTTP_ACTIVITY.uid);
    ev.setClassName(OcsfClass.HTTP_ACTIVITY.className);
    ev.setCategoryUid(OcsfClass.HTTP_ACTIVITY.categoryUid);
    ev.setCategoryName(OcsfClass.HTTP_ACTIVITY.categoryName);
    ev.setActivityId(activity);
    ev.setActivityName(activity == OcsfClass.ACTIVITY_OTHER ? method : activity == 0 ? "Unknown" : NAMES[activity]);
    ev.setTypeUid(OcsfClass.HTTP_ACTIVITY.typeUid(activity));
    Map<String, String> u = ev.getUnmapped();
    String client = this.client != null && !this.client.equals(peer) && IpLiterals.isIp(this.client) ? this.client
        : firstForwarded(forwardedFor);
    Endpoint src = new Endpoint();
    if (client != null) {
      src.setIp(IpLiterals.unmapped(client));
      put(u, "http.peer_ip", peer);
      if (peerPort != null) u.put("http.peer_port", peerPort.toString());
    } else if (peer != null) {
      if (peerIsIp != null ? peerIsIp : IpLiterals.isIp(peer)) {
        src.setIp(IpLiterals.unmapped(peer));
      } else {
        src.setHostname(peer);
      }
      src.setPort(peerPort);
    }
    if (src.getIp() != null || src.getHostname() != null) ev.setSrcEndpoint(src);
    if (method != null || target != null || userAgent != null) ev.setHttpRequest(new HttpRequest(method, target, userAgent));
    ev.setStatusCode(status);
    Network n = new Network();
    n.setDirection("Inbound");
    n.setBytes(bytesSent);
    ev.setNetwork(n);
    u.put("http.format", format);
    put(u, "http.x_forwarded_for", forwardedFor);
    put(u, "http.version", version);
    put(u, "http.request_line", requestLine);
    put(u, "http.referrer", referrer);
    put(u, "http.user", user);
    put(u, "http.host", host);
    put(u, "http.time", time);
    put(u, "http.duration", duration);
    put(u, "http.upstream", upstream);
    put(u, "http.route", route);
    if (bytesReceived != null) u.put("http.bytes_received", bytesReceived.toString());
  }

  private static void put(Map<String, String> u, String key, String value) {
    if (value != null) u.put(key, value);
  }

  private static final String[] NAMES = {"Unknown", "Connect", "Delete", "Get", "Head", "Options", "Post", "Put", "Trace"};

  /** OCSF 1.3.0 HTTP Activity activity_id of a method (PATCH and other methods: 99 Other, named by the method). */
  static int activity(String method) {
    if (method == null) return 0;
    return switch (method) {
      case "CONNECT" -> 1;
      case "DELETE" -> 2;
      case "GET" -> 3;
      case "HEAD" -> 4;
      case "OPTIONS" -> 5;
      case "POST" -> 6;
      case "PUT" -> 7;
      case "TRACE" -> 8;
      default -> OcsfClass.ACTIVITY_OTHER;
    };
  }

  /** The first address of an X-Forwarded-For value (the original client as the proxies tell it), or null. */
  static String firstForwarded(String xff) {
    if (xff == null) return null;
    int end = xff.indexOf(',');
    String first = (end < 0 ? xff : xff.substring(0, end)).trim();
    if (first.startsWith("[") && first.indexOf(']') > 0) first = first.substring(1, first.indexOf(']'));
    return IpLiterals.isIp(first) ? first : null;
  }

  /** "-" (the formats' "none") and empty as null. */
  static String value(String s) {
    return s == null || s.isEmpty() || s.equals("-") ? null : s;
  }
}
