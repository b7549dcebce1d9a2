package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SsrfRequests}: FargateFleetScenarioIT's wkhtmltopdf renderer read {@code file:///proc/self/environ} and the
 * IRSA token for the attacker, and the requests were context. Access lines of an nginx-fronted app (the official
 * image's {@code main} format: combined then X-Forwarded-For) in a pod's CRI log, written here and read by the real
 * collector, recognizer and parser (the client is X-Forwarded-For's first address, the peer the load balancer).
 */
class SsrfRequestsTest {
  @TempDir Path dir;

  static final String LB = "10.77.1.15";
  static final String ATTACKER = "198.51.100.61";

  static String line(String time, String target, int status, String xff) {
    return "2026-11-23T" + time + ".000000000Z stdout F " + LB + " - - [23/Nov/2026:" + time + " +0000] \"GET " + target
        + " HTTP/1.1\" " + status + " 2291 \"-\" \"python-requests/2.32.3\" \"" + xff + "\"";
  }

  private List<EvidenceEvent> parse(List<String> lines) throws Exception {
    Path log = dir.resolve("var/log/pods/media_thumbnailer-6d9f7c5b8-r4t7x_0f1e2d3c-0000-4000-8000-000000000001/"
        + "thumbnailer/0.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, String.join("\n", lines) + "\n");
    List<EvidenceEvent> out = new ArrayList<>();
    for (EvidenceEvent e : SigmaFixtures.parse(dir)) if (e.getClassUid() == 4002) out.add(e);
    assertThat(out).as("HTTP requests read").hasSize(lines.size());
    return out;
  }

  private static SignalRules.Signal judge(EvidenceEvent e) {
    return SignalRules.defaults().classify(e);
  }

  @Test
  void fileReadsOfTheEnvironmentAndTheTokenFromOutsideAreTheEntry() throws Exception {
    List<EvidenceEvent> es = parse(List.of(
        line("09:05:12", "/render?src=file%3A%2F%2F%2Fproc%2Fself%2Fenviron&w=1200", 200, ATTACKER),
        line("09:05:41", "/render?src=file%3A%2F%2F%2Fvar%2Frun%2Fsecrets%2Feks.amazonaws.com%2Fserviceaccount%2Ftoken",
            200, ATTACKER),
        // double-encoded, refused: an attempt counts
        line("09:06:02", "/render?src=file%253A%252F%252F%252Fetc%252Fpasswd", 403, ATTACKER),
        // path traversal to the environment, no scheme
        line("09:06:10", "/static/..%2F..%2F..%2Fproc%2F1%2Fenviron", 404, ATTACKER),
        // the metadata services, by address, IPv6, decimal, name; ECS's credentials endpoint
        line("09:06:20", "/render?src=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2Fsecurity-credentials%2F",
            200, ATTACKER),
        line("09:06:21", "/render?src=http://[fd00:ec2::254]/latest/api/token", 200, ATTACKER),
        line("09:06:22", "/fetch?url=http://2852039166/latest/meta-data/", 200, ATTACKER),
        line("09:06:23", "/fetch?url=http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/",
            200, ATTACKER),
        line("09:06:24", "/fetch?url=http%3A%2F%2F169.254.170.2%2Fv2%2Fcredentials%2Fa1b2", 200, ATTACKER)));
    for (EvidenceEvent e : es) {
      assertThat(e.getSrcEndpoint().getIp()).as("the client behind the load balancer").isEqualTo(ATTACKER);
      SignalRules.Signal s = judge(e);
      assertThat(s).as(e.getHttpRequest().getUrl()).isNotNull();
      assertThat(s.stage()).isEqualTo(AttackStage.ENTRY);
      assertThat(s.severityId()).isEqualTo(4);
      assertThat(s.reason()).isEqualTo(SsrfRequests.REASON);
    }
    assertThat(SsrfRequests.what(es.get(0).getHttpRequest().getUrl())).isEqualTo("file:/");
    assertThat(SsrfRequests.what(es.get(4).getHttpRequest().getUrl())).isEqualTo("169.254.169.254");
  }

  @Test
  void fromInsideAFileReadIsCredentialAccessAndTheMetadataAgentsOwnTrafficIsContext() throws Exception {
    List<EvidenceEvent> es = parse(List.of(
        line("09:07:00", "/render?src=file:///var/run/secrets/kubernetes.io/serviceaccount/token", 200, "10.77.9.9"),
        // a metadata agent's health check and a credential proxy's forwarded request: by design, from inside
        line("09:07:01", "/healthz?upstream=http://169.254.169.254/latest/meta-data/instance-id", 200, "10.77.9.9"),
        line("09:07:02", "http://169.254.170.2/v2/credentials/a1b2", 200, "-")));
    SignalRules.Signal file = judge(es.get(0));
    assertThat(file).isNotNull();
    assertThat(file.stage()).isEqualTo(AttackStage.CREDENTIAL_ACCESS);
    assertThat(file.severityId()).isEqualTo(3);
    assertThat(judge(es.get(1))).isNull();
    assertThat(judge(es.get(2))).isNull();
  }

  @Test
  void ordinaryRequestsAndLookalikesAreContext() throws Exception {
    List<EvidenceEvent> es = parse(List.of(
        line("09:08:00", "/render?src=https%3A%2F%2Fcdn.example.com%2Fp%2F88213.html&w=320", 200, "203.0.113.9"),
        line("09:08:01", "/users/profile:/settings", 200, "203.0.113.9"),
        line("09:08:02", "/docs/proc/self-service/environment", 200, "203.0.113.9"),
        line("09:08:03", "/lookup?ip=169.254.169.2540", 200, "203.0.113.9"),
        line("09:08:04", "/a%ZZb", 400, "203.0.113.9")));
    for (EvidenceEvent e : es) assertThat(judge(e)).as(e.getHttpRequest().getUrl()).isNull();
  }

  @Test
  void fromOutsideKnownRangesTheMetadataRequestIsNoSignal() throws Exception {
    List<EvidenceEvent> es = parse(List.of(
        line("09:09:00", "/fetch?url=http://169.254.169.254/latest/meta-data/", 200, "192.0.2.10")));
    assertThat(new SignalRules(List.of("192.0.2.0/24")).classify(es.get(0))).isNull();
    assertThat(judge(es.get(0))).isNotNull();
  }

  /** The pod's incident starts at the request: it is the pod's first signal, its stage entry. */
  @Test
  void theRequestOpensThePodsIncidentAsItsEntry() throws Exception {
    List<EvidenceEvent> es = parse(List.of(
        line("09:05:12", "/render?src=file%3A%2F%2F%2Fproc%2Fself%2Fenviron&w=1200", 200, ATTACKER),
        line("09:08:00", "/render?src=https%3A%2F%2Fcdn.example.com%2Fp%2F1.html", 200, "203.0.113.9")));
    List<Incident> incidents = IncidentEngine.incidentsOf(es, IncidentSettings.defaults());
    assertThat(incidents).hasSize(1);
    Incident i = incidents.get(0);
    assertThat(i.getAttackPath().get(0).getStage()).isEqualTo(AttackStage.ENTRY);
    assertThat(i.getTitle()).contains("entry");
    assertThat(i.getFirstSeen()).isEqualTo(es.get(0).getTime());
  }
}
