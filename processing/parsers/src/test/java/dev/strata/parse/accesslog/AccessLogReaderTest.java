package dev.strata.parse.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Access log lines as their servers print them with their default (or documented stock) formats, and lines that only
 * look like one.
 */
class AccessLogReaderTest {

  /** What a line gave: format, client, client port, method, target, status, bytes, user agent, peer, XFF. */
  record Got(String format, String ip, Integer port, String method, String url, String status, Long bytes, String ua,
      String peer, String xff, int classUid, int activityId, String activity) {}

  static Got read(String message) {
    EvidenceEvent ev = new EvidenceEvent();
    ev.setUnmapped(new HashMap<>());
    ev.setClassUid(0);
    if (!AccessLogReader.INSTANCE.read(message, ev)) return null;
    Map<String, String> u = ev.getUnmapped();
    return new Got(u.get("http.format"), ev.getSrcEndpoint() == null ? null : ev.getSrcEndpoint().getIp(),
        ev.getSrcEndpoint() == null ? null : ev.getSrcEndpoint().getPort(),
        ev.getHttpRequest() == null ? null : ev.getHttpRequest().getMethod(),
        ev.getHttpRequest() == null ? null : ev.getHttpRequest().getUrl(), ev.getStatusCode(),
        ev.getNetwork() == null ? null : ev.getNetwork().getBytes(),
        ev.getHttpRequest() == null ? null : ev.getHttpRequest().getUserAgent(), u.get("http.peer_ip"),
        u.get("http.x_forwarded_for"), ev.getClassUid(), ev.getActivityId(), ev.getActivityName());
  }

  @Test
  void nginxCombinedApacheGunicornMorganAndGorillaPrintTheSameLine() {
    Got g = read("203.0.113.173 - - [23/Nov/2026:09:10:02 +0000] \"POST /upload.php HTTP/1.1\" 200 64 \"-\" "
        + "\"python-requests/2.31.0\"");
    assertThat(g).isEqualTo(new Got("combined", "203.0.113.173", null, "POST", "/upload.php", "200", 64L,
        "python-requests/2.31.0", null, null, 4002, 6, "Post"));
  }

  @Test
  void commonLogFormatWithAUserAndNoBytes() {
    Got g = read("198.51.100.7 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 304 -");
    assertThat(g).isEqualTo(new Got("common", "198.51.100.7", null, "GET", "/apache_pb.gif", "304", null, null, null,
        null, 4002, 3, "Get"));
  }

  @Test
  void apacheVhostCombined() {
    Got g = read("shop.example.com:443 203.0.113.9 - - [23/Nov/2026:09:10:02 +0000] \"GET /a?b=c HTTP/2.0\" 404 "
        + "196 \"https://shop.example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\"");
    assertThat(g.format()).isEqualTo("vhost_combined");
    assertThat(g.ip()).isEqualTo("203.0.113.9");
    assertThat(g.url()).isEqualTo("/a?b=c");
    assertThat(g.ua()).isEqualTo("Mozilla/5.0 (X11; Linux x86_64)");
  }

  @Test
  void nginxMainWithXForwardedForNamesTheClientAndKeepsThePeerAsTheProxy() {
    Got g = read("10.30.0.12 - - [23/Nov/2026:09:10:02 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\" "
        + "\"203.0.113.173, 10.30.0.5\"");
    assertThat(g).isEqualTo(new Got("nginx_main", "203.0.113.173", null, "GET", "/", "200", 612L, "curl/8.5.0",
        "10.30.0.12", "203.0.113.173, 10.30.0.5", 4002, 3, "Get"));
    Got none = read("10.30.0.12 - - [23/Nov/2026:09:10:02 +0000] \"GET / HTTP/1.1\" 200 612 \"-\" \"curl/8.5.0\" \"-\"");
    assertThat(none.ip()).isEqualTo("10.30.0.12");
    assertThat(none.peer()).isNull();
  }

  @Test
  void nodeReportsIpv4ClientsAsMappedIpv6() {
    Got g = read("::ffff:203.0.113.5 - - [23/Nov/2026:09:10:02 +0000] \"PATCH /api/x HTTP/1.1\" 204 - \"-\" \"node\"");
    assertThat(g.ip()).isEqualTo("203.0.113.5");
    assertThat(g.activityId()).isEqualTo(99);
    assertThat(g.activity()).isEqualTo("PATCH");
  }

  @Test
  void traefikClf() {
    Got g = read("203.0.113.4 - - [23/Nov/2026:09:10:02 +0000] \"GET /whoami HTTP/1.1\" 200 412 \"-\" \"curl/8.5.0\" "
        + "37 \"whoami@docker\" \"http://172.18.0.3:80\" 2ms");
    assertThat(g.format()).isEqualTo("traefik_clf");
    assertThat(g.ip()).isEqualTo("203.0.113.4");
  }

  @Test
  void aBadRequestWithoutARequestLineIsStillTheClientsRequest() {
    Got g = read("203.0.113.9 - - [23/Nov/2026:09:10:02 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\" 400 157 \"-\" \"-\"");
    assertThat(g.ip()).isEqualTo("203.0.113.9");
    assertThat(g.method()).isNull();
    assertThat(g.status()).isEqualTo("400");
    assertThat(g.activityId()).isZero();
  }

  @Test
  void envoyDefaultHasNoPeerOnlyXForwardedFor() {
    Got g = read("[2026-11-23T09:10:02.310Z] \"POST /api/v1/locations HTTP/2\" 204 - 154 0 226 100 \"203.0.113.8\" "
        + "\"nsq2http\" \"cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2\" \"locations\" \"tcp://10.0.2.1:80\"");
    assertThat(g).isEqualTo(new Got("envoy", "203.0.113.8", null, "POST", "/api/v1/locations", "204", 0L, "nsq2http",
        null, "203.0.113.8", 4002, 6, "Post"));
  }

  @Test
  void istioDefaultNamesTheDownstreamPeer() {
    Got g = read("[2026-11-23T09:10:02.310Z] \"GET /productpage HTTP/1.1\" 200 - via_upstream - \"-\" 0 5293 25 24 "
        + "\"-\" \"curl/8.5.0\" \"b6e2-4f1c\" \"productpage:9080\" \"10.44.1.27:9080\" "
        + "inbound|9080|| 127.0.0.6:51321 10.44.1.27:9080 203.0.113.50:49612 "
        + "outbound_.9080_._.productpage.default.svc.cluster.local default");
    assertThat(g).isEqualTo(new Got("istio", "203.0.113.50", 49612, "GET", "/productpage", "200", 5293L, "curl/8.5.0",
        null, null, 4002, 3, "Get"));
  }

  @Test
  void uvicornAndGin() {
    Got u = read("INFO:     203.0.113.21:51234 - \"GET /docs HTTP/1.1\" 200 OK");
    assertThat(u).isEqualTo(new Got("uvicorn", "203.0.113.21", 51234, "GET", "/docs", "200", null, null, null, null,
        4002, 3, "Get"));
    Got g = read("[GIN] 2026/11/23 - 09:10:02 | 200 |     1.234567ms |   203.0.113.22 | GET      \"/ping\"");
    assertThat(g).isEqualTo(new Got("gin", "203.0.113.22", null, "GET", "/ping", "200", null, null, null, null,
        4002, 3, "Get"));
  }

  @Test
  void caddyTraefikAndEchoJson() {
    Got c = read("{\"level\":\"info\",\"ts\":1795425002.5,\"logger\":\"http.log.access.log0\",\"msg\":\"handled request\","
        + "\"request\":{\"remote_ip\":\"10.0.0.9\",\"remote_port\":\"41342\",\"client_ip\":\"203.0.113.30\","
        + "\"proto\":\"HTTP/1.1\",\"method\":\"GET\",\"host\":\"shop.example\",\"uri\":\"/x\",\"headers\":"
        + "{\"User-Agent\":[\"curl/8.5.0\"],\"X-Forwarded-For\":[\"203.0.113.30\"]}},\"bytes_read\":0,"
        + "\"user_id\":\"\",\"duration\":0.0009,\"size\":10900,\"status\":200}");
    assertThat(c).isEqualTo(new Got("caddy_json", "203.0.113.30", null, "GET", "/x", "200", 10900L, "curl/8.5.0",
        "10.0.0.9", "203.0.113.30", 4002, 3, "Get"));
    Got t = read("{\"ClientAddr\":\"203.0.113.31:60124\",\"ClientHost\":\"203.0.113.31\",\"ClientPort\":\"60124\","
        + "\"DownstreamContentSize\":19,\"DownstreamStatus\":404,\"Duration\":126722,\"RequestHost\":\"a.example\","
        + "\"RequestMethod\":\"GET\",\"RequestPath\":\"/nope\",\"RequestProtocol\":\"HTTP/1.1\",\"RouterName\":"
        + "\"web@docker\",\"StartUTC\":\"2026-11-23T09:10:02.1Z\",\"level\":\"info\",\"msg\":\"\",\"time\":"
        + "\"2026-11-23T09:10:02Z\"}");
    assertThat(t).isEqualTo(new Got("traefik_json", "203.0.113.31", 60124, "GET", "/nope", "404", 19L, null, null,
        null, 4002, 3, "Get"));
    Got e = read("{\"time\":\"2026-11-23T09:10:02.1Z\",\"id\":\"\",\"remote_ip\":\"203.0.113.32\",\"host\":\"a.example\","
        + "\"method\":\"DELETE\",\"uri\":\"/u/1\",\"user_agent\":\"curl/8.5.0\",\"status\":200,\"error\":\"\","
        + "\"latency\":1234,\"latency_human\":\"1.234µs\",\"bytes_in\":0,\"bytes_out\":13}");
    assertThat(e).isEqualTo(new Got("echo_json", "203.0.113.32", null, "DELETE", "/u/1", "200", 13L, "curl/8.5.0",
        null, null, 4002, 2, "Delete"));
  }

  @Test
  void linesThatOnlyLookLikeOneAreLeftAlone() {
    for (String m : new String[] {
        // cut inside the user agent (a 16 KiB split, a collector cut): the quote never closes
        "203.0.113.173 - - [23/Nov/2026:09:10:02 +0000] \"GET / HTTP/1.1\" 200 64 \"-\" \"Mozilla/5.0 (X11; Li",
        // cut inside the request
        "203.0.113.173 - - [23/Nov/2026:09:10:02 +0000] \"GET /very/long/pa",
        // not a time in the brackets
        "203.0.113.173 - - [error] \"GET / HTTP/1.1\" 200 64",
        // no status
        "203.0.113.173 - - [23/Nov/2026:09:10:02 +0000] \"GET / HTTP/1.1\" OK",
        // an application's message that quotes something in brackets
        "worker 3 said [23/Nov/2026:09:10:02 +0000] \"hello\" 200 1",
        "[23-Nov-2026 09:10:02] WARNING: [pool www] child 41: upload rejected",
        "[2026-11-23T09:10:02.310Z] \"GET / HTTP/1.1\" 200 - 0 0",
        "INFO:     Started server process [1]",
        "{\"level\":\"info\",\"msg\":\"remote_ip is 1.2.3.4\"}",
        "{\"remote_ip\":\"203.0.113.5\",\"bytes_out\":1}",
        "processed invoice batch 2212 (17 invoices)",
    }) {
      assertThat(read(m)).as(m).isNull();
    }
  }

  @Test
  void aLineNotReadLeavesTheEventAsItWas() {
    EvidenceEvent ev = new EvidenceEvent();
    ev.setUnmapped(new HashMap<>());
    ev.setClassUid(0);
    assertThat(AccessLogReader.INSTANCE.read("203.0.113.1 - - [bad] \"GET / HTTP/1.1\" 200 1", ev)).isFalse();
    assertThat(ev.getUnmapped()).isEmpty();
    assertThat(ev.getClassUid()).isZero();
    assertThat(ev.getSrcEndpoint()).isNull();
  }
}
