package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.IncidentEntity;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster and cloud evidence that names no entity of its own (an anonymous request to the API server, a request of a
 * {@code system:*} user from an address that is no pod's) groups by the cluster and its source address
 * ({@link EntityKeys.ApiClient}): the anonymous probing of one API server from one address within the window is one
 * incident, not one per request; a public source address outside {@code incident.known_cidrs} also joins what that
 * address did next. Audit lines written for these tests, collected and parsed by the real collector and parser.
 */
class ApiClientIncidentTest {
  @TempDir Path dir;

  static final String PODS_REF = "{\"resource\":\"pods\",\"namespace\":\"a\",\"apiVersion\":\"v1\"}";
  static final String SECRETS_REF = "{\"resource\":\"secrets\",\"namespace\":\"kube-system\",\"apiVersion\":\"v1\"}";

  static String audit(String id, int second, String user, String verb, String uri, String objectRef, int code, String ip,
      String extra) {
    String ts = String.format("2026-11-20T10:%02d:%02d.000000Z", second / 60, second % 60);
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"" + uri + "\",\"verb\":\"" + verb + "\",\"user\":{\"username\":\""
        + user + "\"" + (extra == null ? "" : "," + extra) + "},\"sourceIPs\":[\"" + ip + "\"],"
        + (objectRef == null ? "" : "\"objectRef\":" + objectRef + ",")
        + "\"responseStatus\":{\"metadata\":{},\"code\":" + code + "},"
        + "\"requestReceivedTimestamp\":\"" + ts + "\",\"stageTimestamp\":\"" + ts + "\"}";
  }

  static String anonymous(String id, int second, String ip, int code) {
    return audit(id, second, "system:anonymous", "list", "/api/v1/namespaces/a/pods", PODS_REF, code, ip, null);
  }

  /** The events of an audit log of cluster {@code cluster} holding {@code lines}. */
  List<EvidenceEvent> parse(String cluster, String... lines) throws Exception {
    Path root = dir.resolve(cluster == null ? "unnamed-" + lines.length : cluster);
    Path f = root.resolve("var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out = new ChunkOutput() {
      @Override
      public void event(EvidenceEvent event) {
        events.add(event);
      }

      @Override
      public void deadLetter(DeadLetter deadLetter) {
        throw new AssertionError("dead letter " + deadLetter.getReason());
      }
    };
    CollectorOptions.Builder options = CollectorOptions.builder();
    if (cluster != null) options.cluster(cluster);
    FileCollector.collect(root, options.build(),
        ChunkPublisher.forEach(chunk -> parser.parse(chunk, out), m -> {}), EvidencePreserver.NONE, ProgressListener.NONE);
    assertThat(events).hasSize(lines.length);
    return events;
  }

  static List<String> ids(Incident i) {
    List<String> out = new ArrayList<>();
    for (TimelineRow r : i.getTimeline()) out.add(r.getSummary());
    return out;
  }

  static List<String> entities(Incident i) {
    List<String> out = new ArrayList<>();
    for (IncidentEntity e : i.getEntities()) out.add(e.getType() + ":" + e.getKey());
    return out;
  }

  /** Shuffled arrival gives the same incidents. */
  static List<Incident> incidents(List<EvidenceEvent> events, IncidentSettings s) throws Exception {
    List<Incident> expected = IncidentEngine.incidentsOf(events, s);
    Random r = new Random(7);
    for (int round = 0; round < 5; round++) {
      List<EvidenceEvent> shuffled = new ArrayList<>(events);
      Collections.shuffle(shuffled, r);
      assertThat(IncidentEngine.incidentsOf(shuffled, s)).as("shuffled").isEqualTo(expected);
    }
    return expected;
  }

  @Test
  void anonymousProbingOfOneApiServerFromOnePrivateAddressIsOneIncident() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(parse("prod",
        anonymous("1", 0, "10.20.3.7", 403),
        anonymous("2", 10, "10.20.3.7", 200),
        anonymous("3", 40, "10.20.3.7", 200),
        audit("4", 65, "system:anonymous", "get", "/api/v1/namespaces/kube-system/secrets", SECRETS_REF, 200, "10.20.3.7", null),
        // another address of the same cluster: another client
        anonymous("5", 70, "10.20.9.9", 200),
        // the same address two windows later: another incident
        anonymous("6", 0, "10.20.3.7", 200)));
    events.get(5).setTime(events.get(5).getTime().plus(Duration.ofHours(5)));
    List<Incident> incs = incidents(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(3);
    Incident probe = incs.stream().filter(i -> i.getSignals() == 3).findFirst().orElseThrow();
    assertThat(probe.getTimeline()).hasSize(4); // the refused request before the first allowed one is lead-up
    assertThat(entities(probe)).contains("api_client:prod/10.20.3.7", "cluster:prod").noneMatch(e -> e.startsWith("ip:"));
    assertThat(probe.getTitle()).startsWith("API client 10.20.3.7 of cluster prod: entry");
    assertThat(incs).filteredOn(i -> i.getSignals() == 1).allMatch(i -> i.getEventCount() == 1);
  }

  @Test
  void twoClustersProbedFromOneAddressAreTwoIncidents() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(parse("prod", anonymous("1", 0, "10.20.3.7", 200)));
    events.addAll(parse("staging", anonymous("2", 5, "10.20.3.7", 200)));
    // one tenant for both (the account names them apart by cluster only)
    for (EvidenceEvent e : events) {
      e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333")
          .setRegion("us-east-1").build());
    }
    assertThat(incidents(events, IncidentSettings.defaults())).hasSize(2);
  }

  /** With no cluster named (an audit log collected without --cluster), one log is one API server: never across logs. */
  @Test
  void withNoClusterNamedTheAuditLogIsTheApiServer() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(parse(null, anonymous("1", 0, "10.20.3.7", 200),
        anonymous("2", 30, "10.20.3.7", 200)));
    events.addAll(parse(null, anonymous("3", 40, "10.20.3.7", 200)));
    List<Incident> incs = incidents(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(2);
    Incident two = incs.stream().filter(i -> i.getSignals() == 2).findFirst().orElseThrow();
    assertThat(two.getTitle()).startsWith("API client 10.20.3.7 (cluster not named, artifact ");
  }

  @Test
  void aPublicProbingAddressJoinsWhatTheSameAddressDidNextUnlessItIsAKnownRange() throws Exception {
    String token = "\"extra\":{\"authentication.kubernetes.io/pod-name\":[\"ci-7\"],"
        + "\"authentication.kubernetes.io/pod-uid\":[\"u-1\"]}";
    List<EvidenceEvent> events = parse("prod",
        anonymous("1", 0, "198.51.100.77", 200),
        anonymous("2", 20, "198.51.100.77", 200),
        // the same address then uses a stolen service account token (its own signal, naming the token's pod)
        audit("3", 300, "system:serviceaccount:ci:builder", "list", "/api/v1/namespaces/ci/secrets",
            "{\"resource\":\"secrets\",\"namespace\":\"ci\",\"apiVersion\":\"v1\"}", 200, "198.51.100.77", token));
    List<Incident> incs = incidents(events, IncidentSettings.defaults());
    assertThat(incs).hasSize(1);
    assertThat(incs.get(0).getSignals()).isEqualTo(3);
    assertThat(entities(incs.get(0))).contains("ip:198.51.100.77", "pod:ci/ci-7");

    // the organisation's own range (known_cidrs): the address links nothing; the probes still group by client
    IncidentSettings known = new IncidentSettings(Duration.ofHours(2), 500, 5, Duration.ofMinutes(5),
        List.of("198.51.100.0/24"), null, 200_000);
    List<Incident> apart = incidents(events, known);
    assertThat(apart).hasSize(1);
    assertThat(apart.get(0).getSignals()).isEqualTo(2);
    assertThat(apart.get(0).getEventCount()).as("the token's request is not joined through the address").isEqualTo(2);
    assertThat(entities(apart.get(0))).contains("api_client:prod/198.51.100.77", "ip:198.51.100.77")
        .doesNotContain("pod:ci/ci-7");
    assertThat(apart.get(0).getTitle()).startsWith("API client 198.51.100.77 of cluster prod: entry");
  }
}
