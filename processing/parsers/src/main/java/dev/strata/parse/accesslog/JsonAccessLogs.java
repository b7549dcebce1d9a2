package dev.strata.parse.accesslog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.parse.Json;

/**
 * JSON access log lines: Caddy's access logger ({@code "logger":"http.log.access..."}, {@code "msg":"handled
 * request"}, {@code request.remote_ip / remote_port / client_ip / method / uri / proto / host / headers},
 * {@code status}, {@code size}, {@code bytes_read}, {@code duration}; {@code client_ip} (Caddy 2.7+) is the client
 * behind trusted proxies, {@code remote_ip} the peer), Traefik's JSON access log ({@code ClientHost},
 * {@code ClientPort}, {@code RequestMethod}, {@code RequestPath}, {@code RequestProtocol}, {@code RequestHost},
 * {@code DownstreamStatus}, {@code DownstreamContentSize}, {@code RouterName}, {@code ServiceURL}, {@code Duration},
 * kept headers as {@code request_<Header>}) and Go Echo's default logger middleware ({@code remote_ip} (Echo's
 * RealIP: X-Forwarded-For first when sent), {@code host}, {@code method}, {@code uri}, {@code user_agent},
 * {@code status}, {@code bytes_in}, {@code bytes_out}, {@code latency_human}). Other JSON is not read.
 */
final class JsonAccessLogs {
  private JsonAccessLogs() {}

  static HttpAccess parse(String m) {
    boolean caddy = m.contains("\"http.log.access");
    boolean traefik = !caddy && m.contains("\"ClientHost\"") && m.contains("\"DownstreamStatus\"");
    boolean echo = !caddy && !traefik && m.contains("\"remote_ip\"") && m.contains("\"bytes_out\"");
    if (!caddy && !traefik && !echo) return null;
    JsonNode n;
    try {
      n = Json.MAPPER.readTree(m);
    } catch (java.io.IOException e) {
      return null;
    }
    if (n == null || !n.isObject()) return null;
    HttpAccess a = caddy ? caddy(n) : traefik ? traefik(n) : echo(n);
    return a == null || (a.peer == null && a.client == null) || a.status == null ? null : a;
  }

  private static HttpAccess caddy(JsonNode n) {
    JsonNode r = n.path("request");
    String logger = Json.text(n, "logger");
    if (!r.isObject() || logger == null || !logger.startsWith("http.log.access")) return null;
    HttpAccess a = new HttpAccess();
    a.format = "caddy_json";
    a.peer = Json.text(r, "remote_ip");
    a.peerPort = port(Json.text(r, "remote_port"));
    a.client = Json.text(r, "client_ip");
    a.method = Json.text(r, "method");
    a.target = Json.text(r, "uri");
    a.version = Json.text(r, "proto");
    a.host = Json.text(r, "host");
    JsonNode h = r.path("headers");
    a.userAgent = first(h.path("User-Agent"));
    a.referrer = first(h.path("Referer"));
    a.forwardedFor = first(h.path("X-Forwarded-For"));
    a.status = Json.text(n, "status");
    a.bytesSent = number(n.path("size"));
    a.bytesReceived = number(n.path("bytes_read"));
    a.duration = Json.text(n, "duration");
    a.user = HttpAccess.value(Json.text(n, "user_id"));
    a.time = Json.text(n, "ts");
    return a;
  }

  private static HttpAccess traefik(JsonNode n) {
    HttpAccess a = new HttpAccess();
    a.format = "traefik_json";
    a.peer = Json.text(n, "ClientHost");
    a.peerPort = port(Json.text(n, "ClientPort"));
    a.method = Json.text(n, "RequestMethod");
    a.target = Json.text(n, "RequestPath");
    a.version = Json.text(n, "RequestProtocol");
    a.host = Json.text(n, "RequestHost");
    a.status = Json.text(n, "DownstreamStatus");
    a.bytesSent = number(n.path("DownstreamContentSize"));
    a.userAgent = Json.text(n, "request_User-Agent");
    a.referrer = Json.text(n, "request_Referer");
    a.forwardedFor = Json.text(n, "request_X-Forwarded-For");
    a.user = HttpAccess.value(Json.text(n, "ClientUsername"));
    a.route = Json.text(n, "RouterName");
    a.upstream = Json.text(n, "ServiceURL");
    a.duration = Json.text(n, "Duration");
    a.time = Json.text(n, "StartUTC");
    if (a.time == null) a.time = Json.text(n, "time");
    return a;
  }

  private static HttpAccess echo(JsonNode n) {
    HttpAccess a = new HttpAccess();
    a.format = "echo_json";
    a.peer = Json.text(n, "remote_ip");
    a.method = Json.text(n, "method");
    a.target = Json.text(n, "uri");
    a.host = Json.text(n, "host");
    a.userAgent = Json.text(n, "user_agent");
    a.status = Json.text(n, "status");
    a.bytesSent = number(n.path("bytes_out"));
    a.bytesReceived = number(n.path("bytes_in"));
    a.duration = Json.text(n, "latency_human");
    a.time = Json.text(n, "time");
    return a.method == null ? null : a;
  }

  private static String first(JsonNode values) {
    if (values.isArray()) return values.isEmpty() ? null : Json.text(values.get(0));
    return Json.text(values);
  }

  private static Long number(JsonNode v) {
    if (v.canConvertToLong() && v.isIntegralNumber()) return v.asLong();
    return v.isTextual() ? Line.number(v.asText()) : null;
  }

  private static Integer port(String p) {
    Long v = Line.number(p);
    return v == null || v > 65535 ? null : v.intValue();
  }
}
