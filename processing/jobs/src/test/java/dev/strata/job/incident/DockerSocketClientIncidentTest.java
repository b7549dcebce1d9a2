package dev.strata.job.incident;

import static dev.strata.job.incident.IncidentGrouperTest.base;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.DockerSocketClients;
import dev.strata.correlate.BindingKind;
import dev.strata.correlate.Hit;
import dev.strata.correlate.KeyState;
import dev.strata.correlate.LookupKeys;
import dev.strata.correlate.Statements;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.correlate.TimelineRow;
import dev.strata.schema.event.Api;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.event.Finding;
import dev.strata.schema.event.Process;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A privileged container created through a Docker socket mounted into a container: the create request (dockerd's
 * debug log, a node-level line that names no client) is tied to the container that connected to the socket just
 * before ({@code dockersock_client}: Falco's socket alert, a process naming the socket), and the container it made
 * (its start call's {@code dockerd.created_by.event_id}) to the request: the escalation's row names its actor, and
 * the client's incident holds the privileged container.
 */
class DockerSocketClientIncidentTest {
  static final Instant T = Instant.parse("2026-11-23T09:14:00Z");
  static final String HOST = "ip-10-30-1-15.ec2.internal";
  static final String WEB = "aac91a707528" + "1".repeat(52);
  static final String OTHER = "1baffb74c0de" + "2".repeat(52);
  static final String PRIV = "f00dfacec0de" + "3".repeat(52);

  static EvidenceEvent onHost(EvidenceEvent e) {
    e.setDevice(Device.newBuilder().setHostname(HOST).setInstanceUid("i-0abc1234def567890").build());
    return e;
  }

  static EvidenceEvent falco(String id, Instant t, String container, String rule, int severity, String fd) {
    EvidenceEvent e = onHost(base(id, t, "falco_alert"));
    e.setClassUid(2004);
    e.setClassName("Detection Finding");
    e.setSeverityId(severity);
    e.setMessage(rule);
    e.setFinding(Finding.newBuilder().setRule(rule).setTitle(rule).setPriority(severity >= 3 ? "Warning" : "Notice")
        .setTags(List.of("container", "mitre_execution")).build());
    e.setContainer(Container.newBuilder().setUid(container.substring(0, 12)).build());
    if (fd != null) e.setFile(File.newBuilder().setPath(fd).setName("docker.sock").build());
    return e;
  }

  /** dockerd's debug line with a create request's body: privileged, the host's root bound. */
  static EvidenceEvent createRequest(String id, Instant t) {
    EvidenceEvent e = onHost(base(id, t, "docker_daemon_log"));
    e.setClassUid(6003);
    e.setMessage("container create request (privileged, host_pid, host_network, host_root_bind): alpine:3.19");
    e.setContainer(Container.newBuilder().setImageName("alpine:3.19").setRuntime("docker").build());
    e.getUnmapped().put("dockerd.form.image", "alpine:3.19");
    e.getUnmapped().put("strata.risk", "privileged,host_pid,host_network,host_root_bind");
    return e;
  }

  static EvidenceEvent start(String id, Instant t, String request) {
    EvidenceEvent e = onHost(base(id, t, "docker_daemon_log"));
    e.setClassUid(6003);
    e.setApi(Api.newBuilder().setOperation("ContainerStart").build());
    e.setMessage("POST /v1.44/containers/" + PRIV + "/start -- the container the create request made");
    e.setContainer(Container.newBuilder().setUid(PRIV).setRuntime("docker").build());
    e.getUnmapped().put("dockerd.created_by.event_id", request);
    e.getUnmapped().put("dockerd.created_by.confidence", "next_call");
    return e;
  }

  @Test
  void theSocketClientIsTheContainerThatConnectedJustBeforeTheRequest() {
    BindingExtractor x = new BindingExtractor();
    EvidenceEvent alert = falco("sock", T, WEB, "Docker Socket Connection From Container", 3, "/var/run/docker.sock");
    List<EntityBinding> bs = x.extract(alert).stream().filter(b -> b.getKind().equals("dockersock_connect")).toList();
    assertThat(bs).hasSize(1);
    EntityBinding b = bs.get(0);
    assertThat(LookupKeys.of(b)).containsExactly("dockersock|host:ip-10-30-1-15|dockerd");
    assertThat(b.getObject().getKey()).isEqualTo(WEB.substring(0, 12));
    assertThat(b.getConfidence()).isEqualTo(0.9f);
    assertThat(b.getValidTo()).isEqualTo(T.plus(BindingExtractor.DOCKER_SOCKET_CLIENT_BOUND));
    // Falco's fd.name of a unix socket as it writes it: the connection tuple, then the path
    EvidenceEvent tuple = falco("tuple", T, WEB, "Docker Socket Connection From Container", 3, null);
    tuple.getUnmapped().put("output_fields.fd.name", "ffff8a0c3e1d2c00->ffff8a0c3e1d3f00 /var/run/docker.sock");
    assertThat(x.extract(tuple)).filteredOn(y -> y.getKind().equals("dockersock_connect"))
        .extracting(y -> y.getObject().getKey()).containsExactly(WEB.substring(0, 12));
    // a process of another container that names the socket in its command line (Tetragon's exec): it would connect
    EvidenceEvent exec = onHost(base("exec", T.plusSeconds(300), "tetragon_event"));
    exec.setContainer(Container.newBuilder().setUid(OTHER.substring(0, 31)).build());
    exec.setProcess(Process.newBuilder().setName("curl").setExecutable("/usr/bin/curl")
        .setCmdLine("/usr/bin/curl --unix-socket /var/run/docker.sock http://localhost/v1.44/containers/json").build());
    EntityBinding p = x.extract(exec).stream().filter(y -> y.getKind().equals("dockersock_connect")).findFirst()
        .orElseThrow();
    assertThat(p.getConfidence()).isEqualTo(0.7f);
    // a sensor event about anything else states nothing
    assertThat(x.extract(falco("shell", T, WEB, "Terminal shell in container", 3, "/bin/sh")))
        .noneMatch(y -> y.getKind().equals("dockersock_connect"));
    // the request asks the host's daemon key at hop 1; the start (its own container) does not
    EvidenceEvent req = createRequest("req", T.plusMillis(360));
    assertThat(LookupKeys.probes(1, req, dev.strata.correlate.EnrichmentMerger.base(req)))
        .contains("dockersock|host:ip-10-30-1-15|dockerd");
    EvidenceEvent st = start("start", T.plusSeconds(1), "req");
    assertThat(LookupKeys.probes(1, st, dev.strata.correlate.EnrichmentMerger.base(st)))
        .noneMatch(k -> k.startsWith("dockersock|"));
    // resolved at the request's time: the web container; a request after the bound: nobody
    // the job's join turns each connection into the client statement the lookups hold: alone within the bound,
    // unchanged (the same statement id the extractor gave before session 13)
    EntityBinding bc = DockerSocketClients.decide(x, b, List.of(b, p));
    EntityBinding pc = DockerSocketClients.decide(x, p, List.of(b, p));
    assertThat(bc.getKind()).isEqualTo("dockersock_client");
    assertThat(bc.getConfidence()).isEqualTo(0.9f);
    assertThat(bc.getAttributes()).doesNotContainKey(DockerSocketClients.CANDIDATES);
    assertThat(bc.getValidFrom()).isEqualTo(b.getValidFrom());
    assertThat(bc.getValidTo()).isEqualTo(b.getValidTo());
    assertThat(bc.getLineage()).isEqualTo(b.getLineage());
    KeyState s = new KeyState();
    s.add(Statements.entry(bc));
    s.add(Statements.entry(pc));
    List<Hit> at = s.resolve(BindingExtractor.micros(req.getTime()));
    assertThat(at).extracting(h -> h.attrs().get("container_uid")).containsExactly(WEB.substring(0, 12));
    assertThat(s.resolve(BindingExtractor.micros(T.plusSeconds(120)))).isEmpty();
    assertThat(s.resolve(BindingExtractor.micros(T.plusSeconds(301)))).extracting(h -> h.attrs().get("container_uid"))
        .containsExactly(OTHER.substring(0, 31));
    assertThat(BindingKind.DOCKERSOCK_CLIENT.lookup()).isTrue();
    assertThat(BindingKind.DOCKERSOCK_CONNECT.lookup()).isFalse();
  }

  /**
   * Two containers connecting to the socket within 60 s of each other: both are candidates, each one's client
   * statement says so with a lowered confidence; a request is still answered with the latest before it, its fact
   * flagged (until session 13 the latest won unflagged).
   */
  @Test
  void twoContainersOnTheSocketWithinTheBoundAreBothFlaggedCandidates() {
    BindingExtractor x = new BindingExtractor();
    EntityBinding web = x.extract(falco("sock", T, WEB, "Docker Socket Connection From Container", 3,
        "/var/run/docker.sock")).stream().filter(b -> b.getKind().equals("dockersock_connect")).findFirst().orElseThrow();
    EntityBinding other = x.extract(falco("sock2", T.plusSeconds(20), OTHER, "Docker Socket Connection From Container", 3,
        "/var/run/docker.sock")).stream().filter(b -> b.getKind().equals("dockersock_connect")).findFirst().orElseThrow();
    EntityBinding late = x.extract(falco("sock3", T.plusSeconds(200), OTHER, "Docker Socket Connection From Container", 3,
        "/var/run/docker.sock")).stream().filter(b -> b.getKind().equals("dockersock_connect")).findFirst().orElseThrow();
    List<EntityBinding> all = List.of(web, other, late);
    String both = OTHER.substring(0, 12) + " " + WEB.substring(0, 12); // sorted
    for (EntityBinding c : List.of(web, other)) {
      EntityBinding d = DockerSocketClients.decide(x, c, all);
      assertThat(d.getConfidence()).isEqualTo(DockerSocketClients.SEVERAL);
      assertThat(d.getAttributes()).containsEntry(DockerSocketClients.CANDIDATES, both);
    }
    // the same container again 3 minutes later, alone: unflagged
    assertThat(DockerSocketClients.decide(x, late, all).getConfidence()).isEqualTo(0.9f);
    KeyState s = new KeyState();
    all.forEach(c -> s.add(Statements.entry(DockerSocketClients.decide(x, c, all))));
    // the lookups answer the latest before the request (the fact, which enrichment.binding_ids names, says it was one
    // of two)
    assertThat(s.resolve(BindingExtractor.micros(T.plusSeconds(30)))).singleElement()
        .satisfies(h -> assertThat(h.attrs()).containsEntry("container_uid", OTHER.substring(0, 12)));
  }

  static List<EvidenceEvent> story(boolean tied) {
    List<EvidenceEvent> ev = new ArrayList<>();
    ev.add(falco("shell", T.minusSeconds(200), WEB, "Terminal shell in container", 3, null));
    ev.add(falco("sock", T, WEB, "Docker Socket Connection From Container", 3, "/var/run/docker.sock"));
    EvidenceEvent req = createRequest("req", T.plusMillis(360));
    if (tied) {
      // what the correlation job resolved: the socket's client at the request's time
      req.setEnrichment(Enrichment.newBuilder().setContainerUid(WEB.substring(0, 12)).setRevision(1).build());
    }
    ev.add(req);
    ev.add(start("start", T.plusSeconds(1), "req"));
    ev.add(falco("root", T.plusSeconds(3), PRIV, "Write below root", 4, null));
    // another container of the host, alerting a minute later: not part of it
    ev.add(falco("other", T.plusSeconds(60), OTHER, "Terminal shell in container", 3, null));
    return ev;
  }

  @Test
  void theClientsIncidentHoldsThePrivilegedContainerAndTheRequestNamesItsActor() throws Exception {
    for (int seed = 0; seed < 5; seed++) {
      List<EvidenceEvent> ev = story(true);
      Collections.shuffle(ev, new Random(seed));
      List<Incident> incs = IncidentEngine.incidentsOf(ev, IncidentSettings.defaults());
      Incident web = incs.stream().filter(i -> i.getTimeline().stream().anyMatch(r -> r.getEventId().equals("shell")))
          .findFirst().orElseThrow();
      assertThat(web.getTimeline()).extracting(TimelineRow::getEventId).as("seed " + seed)
          .contains("shell", "sock", "req", "start", "root").doesNotContain("other");
      assertThat(web.getEntities()).extracting(e -> e.getType() + ":" + e.getKey())
          .contains("container:" + WEB.substring(0, 12), "container:" + PRIV.substring(0, 12), "docker_request:req")
          .doesNotContain("container:" + OTHER.substring(0, 12));
      TimelineRow row = web.getTimeline().stream().filter(r -> r.getEventId().equals("req")).findFirst().orElseThrow();
      assertThat(row.getSignal()).isTrue();
      assertThat(row.getSummary()).contains("by container " + WEB.substring(0, 12), "docker.sock client");
    }
    // the request's own extraction: the request and its client, as the privileged container's start binds to it
    EntityKeys.Extraction req = EntityKeys.extract(story(true).get(2));
    assertThat(req.bindings()).extracting(b -> b.from() + " -> " + b.to())
        .contains("docker_request|req -> container|" + WEB.substring(0, 12));
    EntityKeys.Extraction st = EntityKeys.extract(story(true).get(3));
    assertThat(st.bindings()).extracting(b -> b.from() + " -> " + b.to())
        .contains("container|" + PRIV.substring(0, 12) + " -> docker_request|req");
  }

  @Test
  void withoutTheClientTheRequestStaysNodeLevelAndStillHoldsTheContainerItMade() throws Exception {
    List<Incident> incs = IncidentEngine.incidentsOf(story(false), IncidentSettings.defaults());
    Incident priv = incs.stream().filter(i -> i.getTimeline().stream().anyMatch(r -> r.getEventId().equals("root")))
        .findFirst().orElseThrow();
    assertThat(priv.getTimeline()).extracting(TimelineRow::getEventId).contains("req", "start", "root");
    TimelineRow row = priv.getTimeline().stream().filter(r -> r.getEventId().equals("req")).findFirst().orElseThrow();
    assertThat(row.getSummary()).doesNotContain("docker.sock client");
  }
}
