package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container-host incident without any orchestrator, end to end on the embedded stack, as {@code strata demo
 * --evidence} runs it (collect -> parse -> correlate -> incidents -> scope -> report). The bundle is
 * {@code scenarios/host/bundle} (written by {@code make_host_scenario.py}; README.md there tells the story and each
 * file's provenance): in account 333333333333, the EC2 instance i-0abc1234def567890 (ip-10-30-1-15, Docker 25,
 * json-file logging) runs the compose project shop's web container, exploited through its published port 8080 from
 * 203.0.113.173 at 09:10: a web shell, the instance role's credentials read from IMDS, a write below /etc, a dropped
 * miner (the overlay upper dir holds it) talking to pool.xmr-relay.example, a connection to the mounted
 * docker.sock and, through it, a privileged container with the host's PID namespace and root file system; the
 * stolen credentials are used from 203.0.113.173. The compose project billing's worker runs on the same host the
 * whole time and has nothing to do with it. At 11:40 the same miner (same SHA-256) runs in user alice's rootless
 * Podman container on the RHEL instance i-0def5678abc901234 (ip-10-30-2-40), next to a rootful node-exporter.
 * One pipeline run, shared by the tests.
 */
class HostIncidentScenarioIT extends AbstractScenarioIT {
  static final String ACCOUNT = "333333333333";
  static final String ATTACKER = "203.0.113.173";
  static final String C2_DOMAIN = "pool.xmr-relay.example";
  static final String HOST_A = "ip-10-30-1-15.ec2.internal";
  static final String HOST_B = "ip-10-30-2-40.ec2.internal";
  static final String INSTANCE_A = "i-0abc1234def567890";
  static final String INSTANCE_B = "i-0def5678abc901234";
  static final String ENI_A = "eni-0abc1234def560001";
  static final String WEB = "aac91a7075280a03cd36c035690f3dc97b5ad2fa12b33f80ad3991c9fed5333a";
  static final String BILLING = "1baffb746802dcaea8476dccba48b1ae037322e725ed09ea6fd4e27c66a133c3";
  static final String PRIV = "6c78d01a635841c15d6eaea2ab077999083c97f179ccee226da26d0cd422e117";
  static final String RUNNER = "493c205d1d66f1d62abe3939eb451f5b6d237b84f78766776cba1c2d387f3a88";
  static final String EXPORTER = "2303824a4e3dc61fe3195d1a6e978029d4774876cc9aba9d2c60ef85eb96a845";
  static final String WEB_DIGEST = "sha256:a6b6056908032ba1a1dd07c5af913397991a507e0ca9343c4755e4a10b4a88a7";
  static final String MINER_SHA256 = "4b8d34e47c110e14d85e943312f0ca379c56f7c9e86ebcd20896a06bc82f09a2";
  static final String SESSION = "arn:aws:sts::333333333333:assumed-role/shop-web-instance-role/" + INSTANCE_A;
  static final String KEY = "ASIAHOSTSCENARIO0001";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path home = ScenarioRun.home();
    Path bundle = asImaged(home.resolve("cli/src/test/resources/scenarios/host/bundle"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = ScenarioRun.run(pipeline, endpoints, "host-it", bundle, CollectorOptions.defaults());
    incidents = ScenarioRun.incidentsWith(pipeline, WEB.substring(0, 12), true);
    incident = incidents.size() == 0 ? null : incidents.get(0).path("_source");
  }

  /**
   * The bundle as the responder's disk images and downloads hold it: the overlay files keep their modification
   * times (git keeps none: {@code mtimes.tsv}, deepest first), CloudTrail and VPC Flow files gzip-compressed under
   * their S3 keys.
   */
  static Path asImaged(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-host-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String rel = bundle.relativize(f).toString();
        if (rel.equals("mtimes.tsv") || rel.equals("ids.txt")) continue;
        if (Files.isDirectory(f)) {
          Files.createDirectories(root.resolve(rel));
        } else if (rel.startsWith("AWSLogs/")) {
          try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(root.resolve(rel + ".gz")))) {
            Files.copy(f, out);
          }
        } else {
          Files.copy(f, root.resolve(rel), StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    for (String line : Files.readAllLines(bundle.resolve("mtimes.tsv"))) {
      String[] p = line.split("\t");
      Files.setLastModifiedTime(root.resolve(p[0]), FileTime.from(Instant.ofEpochSecond(Long.parseLong(p[1]))));
    }
    return root;
  }

  /** What the run produced (ScenarioRun.dump): for reading a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCOUNT), "", to);
  }

  @Test
  void oneOpenIncidentHoldsTheExploitedContainer() {
    assertThat(incidents).as("one open incident on the web container").hasSize(1);
  }

  // ------------------------------------------------------------------------------------------------ attribution

  @Test
  void everyEventOfTheWebContainerIsItsContainerImageHostInstanceAndAccount() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of("container.uid:" + WEB.substring(0, 12) + "*", "container.uid:" + WEB)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        if (s.path("activity_name").asText().equals("configured")) continue; // hostconfig.json: no time of its own
        JsonNode e = s.path("enrichment");
        String what = s.path("source_format").asText() + " " + s.path("time").asText() + " "
            + s.path("message").asText("").replaceAll("\\s+", " ");
        check(wrong, what, "container", e.path("container_uid").asText(), WEB);
        check(wrong, what, "image", e.path("image_digest").asText(), WEB_DIGEST);
        check(wrong, what, "account", e.path("account_uid").asText(s.at("/cloud/account_uid").asText()), ACCOUNT);
        check(wrong, what, "host", s.at("/device/hostname").asText(), HOST_A);
        check(wrong, what, "instance", e.path("instance_uid").asText(s.at("/device/instance_uid").asText()), INSTANCE_A);
      }
    }
    assertThat(wrong).as("events of the web container not attributed to it").isEmpty();
  }

  @Test
  void theInstanceRolesCallsAndTheEnisFlowsAreTheInstance() throws Exception {
    Map<String, String> calls = new TreeMap<>();
    for (JsonNode h : search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCOUNT)) {
      JsonNode s = h.path("_source");
      calls.put(s.path("time").asText().substring(11, 19) + " " + s.at("/api/operation").asText() + " "
          + s.at("/src_endpoint/ip").asText(), s.at("/enrichment/instance_uid").asText(s.at("/cloud/instance_uid").asText()));
    }
    assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of(
        "08:46:10 PutObject 10.30.1.15", INSTANCE_A,
        "09:15:40 GetCallerIdentity " + ATTACKER, INSTANCE_A,
        "09:16:05 ListBuckets " + ATTACKER, INSTANCE_A,
        "09:16:30 GetObject " + ATTACKER, INSTANCE_A,
        "09:17:12 CreateUser " + ATTACKER, INSTANCE_A,
        "09:20:00 PutObject 10.30.1.15", INSTANCE_A));
    // the calls from the attacker's address are the web container's, which read the role's credentials from IMDS at
    // 09:11:05 (session_imds_container); the web app's own calls from the host's address are the host's alone
    for (JsonNode h : search("source_format:aws_cloudtrail AND cloud.account_uid:" + ACCOUNT)) {
      JsonNode s = h.path("_source");
      boolean outside = ATTACKER.equals(s.at("/src_endpoint/ip").asText());
      String ctr = s.at("/enrichment/container_uid").asText("");
      assertThat(ctr.length() >= 12 ? ctr.substring(0, 12) : ctr).as(s.at("/api/operation").asText() + " from "
          + s.at("/src_endpoint/ip").asText()).isEqualTo(outside ? WEB.substring(0, 12) : "");
    }
    JsonNode flows = search("source_format:aws_vpc_flow AND cloud.account_uid:" + ACCOUNT);
    assertThat(flows).hasSize(5).allSatisfy(h -> {
      assertThat(h.at("/_source/enrichment/instance_uid").asText()).isEqualTo(INSTANCE_A);
      assertThat(h.at("/_source/cloud/eni_uid").asText()).isEqualTo(ENI_A);
    });
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void theIncidentHoldsTheAttackInOrderWithTheEscalationAndNothingOfTheBillingWorker() throws Exception {
    assertThat(ScenarioRun.entities(incident)).contains("container:" + WEB.substring(0, 12), "container:" + PRIV.substring(0, 12),
            "instance:" + INSTANCE_A, "session:" + SESSION, "ip:" + ATTACKER, "account:" + ACCOUNT,
            "image:" + WEB_DIGEST)
        .doesNotContain("container:" + BILLING.substring(0, 12), "container:" + RUNNER.substring(0, 12),
            "container:" + EXPORTER.substring(0, 12));
    TreeSet<String> formats = new TreeSet<>();
    List<String> summaries = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      assertThat(s.toString()).as("the billing worker's evidence").doesNotContain(BILLING.substring(0, 12))
          .doesNotContain("invoice");
      formats.add(s.path("source_format").asText());
      summaries.add(s.path("summary").asText());
    }
    assertThat(formats).contains("falco_alert", "tetragon_event", "overlay_upper_changes", "aws_cloudtrail",
        "docker_daemon_log", "docker_json_log", "aws_vpc_flow");
    assertThat(String.join("\n", summaries)).contains("Terminal shell in container", "Instance Metadata",
        "Write below etc", "kworkerd", "Docker Socket", "GetCallerIdentity", "CreateUser");
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).contains("EXECUTION", "CREDENTIAL_ACCESS", "PRIVILEGE_ESCALATION");
    // since session 17 the path starts at the entry: the web shell's upload, 203.0.113.173 -> the host's port 8080,
    // which shop-web-1's hostconfig.json publishes (PortBindings 80/tcp -> 8080), nearest before its shell at 09:10:30
    assertThat(stages).first().isEqualTo("ENTRY");
    List<String> entryRows = new ArrayList<>();
    for (String summary : summaries) if (summary.contains("(entry")) entryRows.add(summary);
    assertThat(entryRows).singleElement().asString().startsWith(ATTACKER + ":51514 -> 10.30.1.15:8080")
        .contains("to port 8080 of instance " + INSTANCE_A + ", which container " + WEB.substring(0, 12)
            + " publishes (its host config's PortBindings)");
  }

  @Test
  void thePrivilegedContainerIsNamedByTheCreateRequestThatMadeIt() throws Exception {
    String request = null;
    for (JsonNode h : search("source_format:docker_daemon_log")) {
      JsonNode u = h.at("/_source/unmapped");
      if (u.has("dockerd.form.image") && u.path("strata.risk").asText().contains("privileged")) {
        request = h.at("/_source/event_id").asText();
      }
    }
    assertThat(request).as("the create request's body event").isNotNull();
    JsonNode starts = search("source_format:docker_daemon_log AND api.operation:ContainerStart AND container.uid:" + PRIV);
    assertThat(starts).hasSize(1);
    JsonNode u = starts.get(0).at("/_source/unmapped");
    assertThat(u.path("dockerd.created_by.event_id").asText()).isEqualTo(request);
    assertThat(u.path("dockerd.created_by.risk").asText()).contains("privileged", "host_root_bind");
    assertThat(u.path("dockerd.created_by.confidence").asText()).isEqualTo("next_call");
    assertThat(starts.get(0).at("/_source/message").asText()).contains("the container the create request of");
  }

  @Test
  void theCreateRequestsActorIsTheWebContainerThatConnectedToTheSocket() throws Exception {
    // dockerd's create request names no client; Falco saw the web container connect to the mounted docker.sock
    // 0.36 s before: the correlation job ties the request to it (dockersock_client, 60 s bound)
    String w = WEB.substring(0, 12);
    JsonNode request = null;
    for (JsonNode h : search("source_format:docker_daemon_log")) {
      JsonNode u = h.at("/_source/unmapped");
      if (u.has("dockerd.form.image") && u.path("strata.risk").asText().contains("privileged")) request = h.path("_source");
    }
    assertThat(request).isNotNull();
    assertThat(request.at("/enrichment/container_uid").asText()).as("the request's client").startsWith(w);
    JsonNode tie = pipeline.send("POST", "/strata-bindings-*/_search", "{\"size\":10,\"query\":{\"term\":"
        + "{\"kind\":\"dockersock_client\"}}}").at("/hits/hits");
    assertThat(tie).hasSize(1);
    assertThat(tie.get(0).at("/_source/object/key").asText()).isEqualTo(w);
    assertThat(tie.get(0).at("/_source/confidence").floatValue()).isEqualTo(0.9f);
    assertThat(tie.get(0).at("/_source/source_format").asText()).isEqualTo("falco_alert");
    List<String> statements = new ArrayList<>();
    tie.get(0).at("/_source/evidence").forEach(x -> statements.add(x.path("binding_id").asText()));
    List<String> used = new ArrayList<>();
    request.at("/enrichment/binding_ids").forEach(x -> used.add(x.asText()));
    assertThat(used).as("the request's enrichment names the statement it used").containsAnyElementsOf(statements);
    // the escalation's row names its actor, and the web container's incident holds the container it made
    String requestId = request.path("event_id").asText();
    String summary = null;
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if (r.at("/_source/event_id").asText().equals(requestId)) summary = r.at("/_source/summary").asText();
    }
    assertThat(summary).as("the create request's row in the web container's incident")
        .contains("by container " + w, "docker.sock client");
    assertThat(ScenarioRun.entities(incident)).contains("container:" + PRIV.substring(0, 12),
        "docker_request:" + requestId);
    // the web container's first create (compose, from the host at 08:00, no socket alert) has no client
    for (JsonNode h : search("source_format:docker_daemon_log")) {
      JsonNode s = h.path("_source");
      if (s.at("/unmapped").has("dockerd.form.image") && !s.path("event_id").asText().equals(requestId)) {
        assertThat(s.at("/enrichment/container_uid").asText("-")).isEqualTo("-");
      }
    }
  }

  @Test
  void dockerDiffListsNoCopiedUpParents() throws Exception {
    // `docker diff` prints C for every directory above an added file (/etc, /tmp, /var/www/html/uploads ...)
    List<String> rows = new ArrayList<>();
    for (JsonNode h : search("source_format:docker_diff")) {
      rows.add(h.at("/_source/unmapped/diff.kind").asText() + " " + h.at("/_source/file/path").asText());
      assertThat(h.at("/_source/container/uid").asText()).isEqualTo(WEB);
    }
    assertThat(rows).containsExactlyInAnyOrder("A /etc/cron.d/kworker", "A /tmp/.x", "A /tmp/.x/kworkerd",
        "A /var/www/html/uploads/x.php");
  }

  @Test
  void theWebContainersAccessLogLinesAreItsHttpRequestsFromTheAttacker() throws Exception {
    List<String> requests = new ArrayList<>();
    for (JsonNode h : search("source_format:docker_json_log AND class_uid:4002")) {
      JsonNode s = h.path("_source");
      requests.add(s.at("/src_endpoint/ip").asText() + " " + s.at("/http_request/method").asText() + " "
          + s.at("/http_request/url").asText() + " " + s.path("status_code").asText() + " "
          + s.at("/http_request/user_agent").asText() + " " + s.at("/container/uid").asText().substring(0, 12));
    }
    String w = WEB.substring(0, 12);
    assertThat(requests).containsExactly(
        "198.51.100.10 GET /shop/cart 200 Mozilla/5.0 " + w,
        ATTACKER + " GET /upload.php 200 python-requests/2.31.0 " + w,
        ATTACKER + " POST /upload.php 200 python-requests/2.31.0 " + w,
        ATTACKER + " GET /uploads/x.php?c=sh 200 python-requests/2.31.0 " + w);
  }

  @Test
  void theWritableLayersListTheirChangesNotTheDirectoriesAboveThem() throws Exception {
    List<String> entries = new ArrayList<>();
    for (JsonNode h : search("source_format:overlay_upper_changes")) {
      entries.add(h.at("/_source/file/path").asText() + " " + h.at("/_source/file/type").asText());
    }
    // /etc, /tmp, /tmp/.x, /var/www/html ... are in the upper dirs only because something below them changed
    assertThat(entries).containsExactlyInAnyOrder("/var/www/html/uploads/x.php file", "/etc/cron.d/kworker file",
        "/tmp/.x/kworkerd file", "/var/lib/worker/state.db file", "/tmp/kworkerd file",
        "/var/lib/node_exporter/textfile/.keep file");
    List<String> rows = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      if (r.at("/_source/source_format").asText().equals("overlay_upper_changes")) {
        rows.add(r.at("/_source/summary").asText());
      }
    }
    assertThat(rows).as("the incident's rows of the writable layer").hasSize(3).allSatisfy(r -> assertThat(r)
        .containsAnyOf("/etc/cron.d/kworker", "/tmp/.x/kworkerd", "/var/www/html/uploads/x.php"));
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfEachIndicatorIsExactlyTheInvolvedEntities() throws Exception {
    String web = WEB;
    Map<Scope.Indicator, List<String>> containers = Map.of(
        // the web container's access log lines name the client (nginx combined in its json-file log); the flows
        // and calls name the instance
        new Scope.Indicator("ip", ATTACKER), List.of(web),
        // host A's Falco (fd.sip.name); host B: the miner's own "use pool <host>:<port> <TLS> <address>" line in
        // the rootless Podman container's ctr.log
        new Scope.Indicator("domain", C2_DOMAIN), List.of(web, RUNNER),
        new Scope.Indicator("image_digest", WEB_DIGEST), List.of(web),
        new Scope.Indicator("sha256", MINER_SHA256), List.of(web, RUNNER),
        // the instance role's session and key: its calls from outside are the web container's (it read them from IMDS)
        new Scope.Indicator("principal", SESSION), List.of(web),
        new Scope.Indicator("access_key", KEY), List.of(web),
        new Scope.Indicator("process", "kworkerd"), List.of(web));
    for (var c : containers.entrySet()) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(c.getKey()));
      String as = c.getKey().type() + " " + c.getKey().value() + ": " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCOUNT);
      assertThat(IncidentPipelineIT.values(r, "containers")).as(as).containsExactlyInAnyOrderElementsOf(c.getValue());
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).isEmpty();
      assertThat(IncidentPipelineIT.values(r, "clusters")).as(as).isEmpty();
      boolean fleet = c.getValue().contains(RUNNER);
      assertThat(IncidentPipelineIT.values(r, "instances")).as(as)
          .containsExactlyInAnyOrderElementsOf(fleet ? List.of(INSTANCE_A, INSTANCE_B) : List.of(INSTANCE_A));
      if (!c.getValue().isEmpty()) {
        assertThat(IncidentPipelineIT.values(r, "nodes")).as(as)
            .containsExactlyInAnyOrderElementsOf(fleet ? List.of(HOST_A, HOST_B) : List.of(HOST_A));
      }
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncident(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    String html = rendered.html();
    String md = rendered.md();
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains(WEB.substring(0, 12)).contains(ATTACKER)
        .contains(INSTANCE_A).contains("artifacts/sha256/").doesNotContain(BILLING.substring(0, 12));
    assertThat(md).contains("## Entity graph").contains(WEB.substring(0, 12)).contains("ip-10-30-1-15").contains(INSTANCE_A)
        .contains("kworkerd").contains("CreateUser").doesNotContain(BILLING.substring(0, 12));
    assertThat(html.indexOf("Terminal shell in container")).isLessThan(html.indexOf("CreateUser"));
    // the graph of a plain host: container -> host -> instance (no pod, no cluster)
    assertThat(md).contains("| `container: " + WEB.substring(0, 12) + "` | runs on host | `node: ip-10-30-1-15` |")
        .contains("| `node: ip-10-30-1-15` | is instance | `instance: " + INSTANCE_A + "` |");
  }
}
