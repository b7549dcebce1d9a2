package dev.strata.cli;

import static dev.strata.cli.ScenarioRun.check;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.ingest.CollectorOptions;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RHEL host on EC2 running services under Podman, no orchestrator, written as an outside assessor would
 * (scenarios/podman: README.md tells the story, the known answers and each file's provenance;
 * make_podman_scenario.py writes the bundle). The rootless user {@code orders}' Spring Boot API (log4j-core 2.14.1:
 * the registry's Trivy report lists CVE-2021-44228) is exploited through its published port by a JNDI lookup in a
 * User-Agent -> a reverse shell -> IMDS (a rootless container's traffic leaves through slirp4netns, from the host
 * itself) -> /etc/passwd and a cron file changed, a miner dropped and run from the container's upper dir -> the
 * instance role's key used with curl from the host (S3 through the gateway endpoint), then from outside. Bystanders:
 * root's container of the same image on the same host (a quadlet unit), and a second Podman host in the account.
 * Evidence as the responder took it from the disk images: both containers/storage stores (containers.json,
 * images.json, layers.json, the overlay layers with their lower links, each container's OCI config.json and conmon
 * k8s-file ctr.log), libpod's state databases (BoltDB on host A, SQLite on host B), the rootless user's events file
 * (copied live from its tmpfs), root's events in an unfiltered
 * {@code journalctl -o json} export of the system journal, Falco (container id only), the image's CycloneDX SBOM
 * (syft) and Trivy report from the registry, CloudTrail and VPC Flow Logs.
 *
 * <p>Assertions that main did not satisfy when this test was written are fixed or marked {@code GAP:} with what is
 * missing (docs/incidents.md, "Scenario: a Podman host ...").
 */
class PodmanHostScenarioIT extends AbstractScenarioIT {
  static final String ACCT = "444444444444";
  static final String HOST_A = "ip-10-44-1-21.ec2.internal";
  static final String HOST_B = "ip-10-44-2-37.ec2.internal";
  static final String INSTANCE_A = "i-0a4411aa22bb33cc4";
  static final String INSTANCE_B = "i-0b4422bb33cc44dd5";
  static final String ENI_A = "eni-0a4411aa22bb30001";
  static final String ATTACKER = "198.51.100.177";
  static final String OUTSIDE = "203.0.113.200";
  static final String API = "117d16480bc550b1b14ef8d31a7091be369fcdbc624894c62dc40aea235a243d";
  static final String REPORTS = "8d4c6274957d18030382aefda3071e7835f5222d2c01f5c2d73dc1b753deb50d";
  static final String SYNC = "244d435645c65a3cba688d7da9822218b7552c440653d492e65805ba39b9f6e3";
  static final String IMAGE = "registry.example.com/orders/api:2.7.0";
  static final String IMAGE_ID = "sha256:4950e94b8755ddb2695d3f16265a75cc5b2a92aa716aa3a62bf5be18a0775f1b";
  static final String IMAGE_DIGEST = "sha256:84d1601fa1b9ea73dcedbff5b76317bdca5a308471d4015271a3680b6023da83";
  static final String MINER_SHA256 = "ca99f853c7e53f633daac1e34710638bd52896f08ac12933cb2239575e4b1e57";
  static final String SESSION_A = "arn:aws:sts::444444444444:assumed-role/orders-host-role/" + INSTANCE_A;
  static final String SESSION_B = "arn:aws:sts::444444444444:assumed-role/inventory-host-role/" + INSTANCE_B;
  static final String KEY_A = "ASIAPODMANSCENA00001";
  static final String ROLE_A = "orders-host-role";
  static final String CVE = "CVE-2021-44228";

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    this.endpoints = endpoints;
    Path bundle = asImaged(ScenarioRun.home().resolve("cli/src/test/resources/scenarios/podman/bundle"));
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    runId = ScenarioRun.run(pipeline, endpoints, "podman-it", bundle, CollectorOptions.defaults());
    incidents = ScenarioRun.incidentsWith(pipeline, API.substring(0, 12), true);
    incident = incidents.size() == 0 ? null : incidents.get(0).path("_source");
    // what the run produced, for reading a failure (target/podman-dump.txt)
  }

  /**
   * The bundle as the responder's images hold it: the overlay files with their modification times (git keeps none:
   * {@code mtimes.tsv}), the overlay driver's {@code l/} links as links, CloudTrail and VPC Flow gzip-compressed.
   */
  static Path asImaged(Path bundle) throws Exception {
    Path root = Files.createTempDirectory("strata-podman-it-");
    try (var files = Files.walk(bundle)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String rel = bundle.relativize(f).toString();
        if (rel.equals("mtimes.tsv") || rel.equals("ids.txt")) continue;
        Path to = root.resolve(rel);
        if (Files.isSymbolicLink(f)) {
          Files.createSymbolicLink(to, Files.readSymbolicLink(f));
        } else if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectories(to);
        } else if (rel.startsWith("AWSLogs/")) {
          try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(root.resolve(rel + ".gz")))) {
            Files.copy(f, out);
          }
        } else {
          Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    for (String line : Files.readAllLines(bundle.resolve("mtimes.tsv"))) {
      String[] p = line.split("\t");
      Files.setLastModifiedTime(root.resolve(p[0]), FileTime.from(Instant.ofEpochSecond(Long.parseLong(p[1]))));
    }
    return root;
  }

  /** What the run produced, one line per event (with its enrichment), then the incidents and rows: for a failure. */
  @Override
  public void dump(Path to) throws Exception {
    ScenarioRun.dump(pipeline, runId, incident, List.of(ACCT), "", to);
  }

  // -------------------------------------------------------------------------------------------- every source read

  @Test
  void everyArtifactIsReadByItsFormatWithoutDeadLetters() throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonNode h : search("*")) counts.merge(h.at("/_source/source_format").asText(), 1, Integer::sum);
    assertThat(counts).containsAllEntriesOf(Map.of("aws_cloudtrail", 11, "aws_vpc_flow", 11, "falco_alert", 4,
        "trivy_scan", 3, "cyclonedx_sbom", 8, "oci_runtime_config", 3, "aws_ec2_instances", 2));
    // the conmon k8s-file logs: 11 lines of orders-api, 7 of orders-reports, 2 of inventory-sync
    assertThat(search("source_format:cri_log AND container.uid:" + API)).hasSize(11);
    assertThat(search("source_format:cri_log AND container.uid:" + REPORTS)).hasSize(7);
    assertThat(search("source_format:cri_log AND container.uid:" + SYNC)).hasSize(2);
    // the rootless user's events file (6) and host B's filtered journal export (2)
    assertThat(search("source_format:podman_events AND device.hostname:\"" + HOST_B + "\"")).hasSize(2);
    assertThat(search("source_format:podman_events AND container.uid:" + API)).hasSize(5);
    assertThat(ScenarioRun.deadLetters(pipeline, runId)).as("dead letters").isEmpty();
  }

  @Test
  void rootsEventsInTheUnfilteredJournalExportAreRead() throws Exception {
    // journalctl -o json of the whole system journal: systemd, sshd, crond ... and podman's journald events backend
    List<String> events = new ArrayList<>();
    for (JsonNode h : search("source_format:podman_events AND device.hostname:\"" + HOST_A + "\"")) {
      JsonNode s = h.path("_source");
      events.add(s.path("activity_name").asText() + " " + s.at("/container/name").asText(""));
    }
    assertThat(events).contains("create orders-reports", "init orders-reports", "start orders-reports");
  }

  @Test
  void hostBsPodman5EventsExportIsRead() throws Exception {
    // `podman events --format json` of Podman 5 (RHEL 9.5): Docker's epoch time / timeNano, not libpod's Time
    List<String> events = new ArrayList<>();
    for (JsonNode h : search("source_format:podman_events AND device.hostname:\"" + HOST_B + "\"")) {
      JsonNode s = h.path("_source");
      events.add(s.path("time").asText() + " " + s.path("activity_name").asText() + " " + s.at("/container/uid").asText());
    }
    assertThat(events).containsExactly("2026-11-20T06:05:00.118000Z create " + SYNC,
        "2026-11-20T06:05:01.004000Z start " + SYNC);
  }

  /**
   * Podman's own state databases (session 19): host A's two BoltDB files (root's and user orders' stores, Podman 4.9)
   * and host B's SQLite db.sql (Podman 5.2), preserved as found and read into libpod_state events: each container's
   * creation and start, its published ports as Docker's host config, its network mode, and a bridged container's own
   * address; the databases themselves are artifacts of their own (no chunks), the events' lineage leads to them.
   */
  @Test
  void libpodsStateDatabasesGiveEachContainerItsStartPortsAndNetwork() throws Exception {
    Map<String, String> seen = new TreeMap<>();
    for (JsonNode h : search("source_format:libpod_state")) {
      JsonNode s = h.path("_source");
      seen.put(s.at("/container/name").asText() + " " + s.path("activity_name").asText(), s.path("time").asText()
          + " " + s.at("/device/hostname").asText() + " " + s.at("/unmapped/hostconfig.port_bindings").asText("-")
          + " " + s.at("/unmapped/podman.network_mode").asText() + " " + s.at("/src_endpoint/ip").asText("-")
          + " " + s.at("/container/image_uid").asText());
    }
    String sync = "sha256:" + "33051ab22cea8"; // host B's image id (the generator's SYNC_IMAGE_ID)
    assertThat(seen).hasSize(6);
    assertThat(seen.get("orders-api created")).isEqualTo("2026-11-20T06:01:00.118220Z " + HOST_A
        + " :8080->8080/tcp slirp4netns - " + IMAGE_ID);
    assertThat(seen.get("orders-api started")).startsWith("2026-11-20T06:01:01.702441Z " + HOST_A + " :8080->8080/tcp");
    assertThat(seen.get("orders-reports started")).isEqualTo("2026-11-20T06:00:12.010553Z " + HOST_A
        + " :8081->8080/tcp bridge 10.88.0.2 " + IMAGE_ID);
    assertThat(seen.get("inventory-sync started")).startsWith("2026-11-20T06:05:01.004000Z " + HOST_B
        + " - bridge 10.88.0.2 " + sync);
    assertThat(seen).containsKeys("orders-reports created", "inventory-sync created");
  }

  @Test
  void theOciConfigsAreTimedWhenPodmanInitialisedTheContainers() throws Exception {
    // no time of its own: libpod writes config.json at init, the disk image keeps its modification time
    Map<String, String> times = new TreeMap<>();
    for (JsonNode h : search("source_format:oci_runtime_config")) {
      JsonNode s = h.path("_source");
      times.put(s.at("/container/uid").asText().substring(0, 12), s.path("time").asText());
      assertThat(s.at("/unmapped/strata.time_source").asText()).isEqualTo("file_mtime");
    }
    assertThat(times).containsExactlyInAnyOrderEntriesOf(Map.of(API.substring(0, 12), "2026-11-20T06:01:01.000000Z",
        REPORTS.substring(0, 12), "2026-11-20T06:00:11.000000Z", SYNC.substring(0, 12), "2026-11-20T06:05:00.000000Z"));
  }

  @Test
  void theImageStoreIsNoContainer() throws Exception {
    // overlay-images/images.json lists images (id, digest, names), not containers
    List<String> containers = new ArrayList<>();
    for (JsonNode h : search("source_format:podman_containers_json")) {
      containers.add(h.at("/_source/container/uid").asText("-"));
    }
    assertThat(containers).doesNotContain(IMAGE_ID.substring(7)).contains(API, REPORTS, SYNC);
  }

  // ------------------------------------------------------------------------------------------------ attribution

  @Test
  void everyEventOfTheApiContainerIsItsContainerImageHostInstanceAndAccount() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (String q : List.of("container.uid:" + API.substring(0, 12) + "*", "container.uid:" + API)) {
      JsonNode hits = search(q);
      assertThat(hits).as(q).isNotEmpty();
      for (JsonNode h : hits) {
        JsonNode s = h.path("_source");
        JsonNode e = s.path("enrichment");
        String what = s.path("source_format").asText() + " " + s.path("time").asText() + " "
            + s.path("message").asText("").replaceAll("\\s+", " ");
        check(wrong, what, "container", e.path("container_uid").asText(), API);
        check(wrong, what, "image", e.path("image_digest").asText(), IMAGE_DIGEST);
        check(wrong, what, "account", e.path("account_uid").asText(), ACCT);
        check(wrong, what, "host", s.at("/device/hostname").asText(), HOST_A);
        check(wrong, what, "instance", e.path("instance_uid").asText(), INSTANCE_A);
      }
    }
    assertThat(wrong).as("events of orders-api not attributed to it").isEmpty();
  }

  @Test
  void theCredentialsUsedFromTheHostsPublicAddressAndFromOutsideAreTheApiContainers() throws Exception {
    Map<String, String> calls = new TreeMap<>();
    for (JsonNode h : search("source_format:aws_cloudtrail AND actor.credential_uid:" + KEY_A)) {
      JsonNode s = h.path("_source");
      String ctr = s.at("/enrichment/container_uid").asText("");
      calls.put(s.path("time").asText().substring(11, 19) + " " + s.at("/api/operation").asText() + " "
          + s.at("/src_endpoint/ip").asText(), ctr.length() >= 12 ? ctr.substring(0, 12) : "-");
      assertThat(s.at("/enrichment/instance_uid").asText()).isEqualTo(INSTANCE_A);
    }
    String api = API.substring(0, 12);
    // the apps' own calls through the gateway endpoint are the host's; the calls with the credentials orders-api
    // read from IMDS at 09:15:10 from the host's elastic IP and from outside are orders-api's.
    // the attacker's curl calls from the host's private address (ListBuckets, GetObject of the customers' export
    // through the S3 gateway endpoint at 09:16) are the host's like the apps' own calls (nothing names the container);
    // since session 17 their client (curl after only the SDK) makes them signals of the incident:
    // theAttackersCurlCallsAreANewClientsSignalsAndTheElasticIpIsTheHosts
    assertThat(calls).containsExactlyInAnyOrderEntriesOf(Map.of(
        "08:30:14 PutObject 10.44.1.21", "-",
        "09:00:03 PutObject 10.44.1.21", "-",
        "09:15:31 GetCallerIdentity 192.0.2.121", api,
        "09:16:02 ListBuckets 10.44.1.21", "-",
        "09:16:40 GetObject 10.44.1.21", "-",
        "09:40:05 PutObject 10.44.1.21", "-",
        "10:02:10 GetCallerIdentity " + OUTSIDE, api,
        "10:02:44 ListObjects " + OUTSIDE, api,
        "10:03:05 GetObject " + OUTSIDE, api,
        "10:03:41 ListAttachedRolePolicies " + OUTSIDE, api));
    JsonNode flows = search("source_format:aws_vpc_flow AND cloud.eni_uid:" + ENI_A);
    assertThat(flows).hasSize(9).allSatisfy(h -> assertThat(h.at("/_source/enrichment/instance_uid").asText())
        .isEqualTo(INSTANCE_A));
  }

  @Test
  void theImagesScanNamesTheExploitedCveAndTheImageBothContainersRun() throws Exception {
    JsonNode findings = search("source_format:trivy_scan AND vulnerability.uid:\"" + CVE + "\"");
    assertThat(findings).hasSize(1);
    JsonNode f = findings.get(0).path("_source");
    assertThat(f.at("/container/image_digest").asText()).isEqualTo(IMAGE_DIGEST);
    assertThat(f.at("/container/image_uid").asText()).isEqualTo(IMAGE_ID);
    assertThat(f.at("/package/name").asText()).contains("log4j-core");
    // the containers' own state names the image by its id (containers.json), as the scan does
    for (String c : List.of(API, REPORTS)) {
      JsonNode inv = search("source_format:podman_containers_json AND container.uid:" + c);
      assertThat(inv).hasSize(1);
      assertThat(inv.get(0).at("/_source/container/image_uid").asText()).as(c).isEqualTo(IMAGE_ID);
    }
  }

  // ------------------------------------------------------------------------------------------------- writable layer

  @Test
  void theApiContainersWritableLayerListsWhatTheAttackerChanged() throws Exception {
    List<String> entries = new ArrayList<>();
    String minerSha = null;
    for (JsonNode h : search("source_format:overlay_upper_changes AND container.uid:" + API)) {
      JsonNode s = h.path("_source");
      entries.add(s.at("/unmapped/overlay.kind").asText(s.path("activity_name").asText()) + " "
          + s.at("/file/path").asText());
      if (s.at("/file/path").asText().equals("/tmp/.cache/kthreadd")) minerSha = s.at("/file/sha256").asText();
    }
    // the lower layers are in the image (overlay/<layer>/lower -> l/<short> -> the image's diff dirs): /etc/passwd
    // is changed (the image has it), the rest is new
    assertThat(String.join("\n", entries)).contains("/etc/passwd", "/etc/cron.d/kthreadd", "/tmp/.cache/kthreadd",
        "/tmp/.cache/config.json");
    assertThat(minerSha).isEqualTo(MINER_SHA256);
    JsonNode passwd = search("source_format:overlay_upper_changes AND file.path:\"/etc/passwd\"");
    assertThat(passwd).hasSize(1);
    assertThat(passwd.get(0).at("/_source/activity_name").asText()).isEqualTo("Update");
  }

  // ------------------------------------------------------------------------------------------------- incident

  @Test
  void oneOpenIncidentHoldsTheApiContainerTheSessionAndBothAddressesAndNoBystander() throws Exception {
    assertThat(incidents).as("one open incident on orders-api").hasSize(1);
    assertThat(ScenarioRun.entities(incident)).contains("container:" + API.substring(0, 12), "instance:" + INSTANCE_A,
            "session:" + SESSION_A, "access_key:" + KEY_A, "ip:" + ATTACKER, "ip:" + OUTSIDE, "account:" + ACCT)
        .doesNotContain("container:" + REPORTS.substring(0, 12), "container:" + SYNC.substring(0, 12),
            "instance:" + INSTANCE_B, "session:" + SESSION_B, "node:ip-10-44-2-37");
    List<String> summaries = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      assertThat(s.toString()).as("bystanders' evidence").doesNotContain(REPORTS.substring(0, 12))
          .doesNotContain(SYNC.substring(0, 12)).doesNotContain("inventory");
      summaries.add(s.path("summary").asText());
    }
    assertThat(String.join("\n", summaries)).contains("Drop and execute new binary", "/tmp/.cache/kthreadd",
        "/etc/passwd", "jndi:ldap", "GetCallerIdentity", "ListAttachedRolePolicies");
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).contains("CREDENTIAL_ACCESS", "PERSISTENCE", "EXECUTION", "EXFILTRATION");
    assertThat(incident.path("title").asText()).startsWith("Container " + API.substring(0, 12) + " on host ip-10-44-1-21");
  }

  /**
   * The instance role's calls with curl after only the SDK's (CredentialClients, session 17; a GAP before): the
   * GetCallerIdentity from the host's elastic IP (the EC2 inventory names it: the host's own, not outside), ListBuckets
   * and GetObject of the customers' export from the host's private address are signals of the incident (credential
   * access, exfiltration), the apps' SDK calls before and after are not; the elastic IP links nothing.
   */
  @Test
  void theAttackersCurlCallsAreANewClientsSignalsAndTheElasticIpIsTheHosts() throws Exception {
    Map<String, String> rows = new TreeMap<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      JsonNode s = r.path("_source");
      String summary = s.path("summary").asText();
      if (!s.path("source_format").asText("aws_cloudtrail").equals("aws_cloudtrail") || !summary.contains(ROLE_A)) continue;
      rows.put(s.path("time").asText().substring(11, 19), (s.path("signal").asBoolean() ? "signal " : "context ") + summary);
    }
    String newClient = "(curl: a client new for " + SESSION_A + ", whose 2 earlier calls were all made by SDKs; first"
        + " used at 2026-11-20T09:15:31Z";
    assertThat(rows.get("09:15:31")).as(rows.toString()).startsWith("signal ").contains(newClient,
        "from the instance's own public address 192.0.2.121");
    assertThat(rows.get("09:16:02")).as(rows.toString()).startsWith("signal ").contains("ListBuckets", newClient);
    assertThat(rows.get("09:16:40")).as(rows.toString()).startsWith("signal ").contains("GetObject", newClient);
    for (String sdk : List.of("08:30:14", "09:00:03", "09:40:05")) {
      if (rows.containsKey(sdk)) assertThat(rows.get(sdk)).as(sdk).startsWith("context ");
    }
    // the calls from outside keep their own signal (instance credentials used from a public address)
    assertThat(rows.get("10:02:10")).as(rows.toString()).startsWith("signal ").doesNotContain("a client new for");
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(x -> stages.add(x.path("stage").asText() + " " + x.path("first_time").asText()));
    assertThat(stages).anySatisfy(x -> assertThat(x).startsWith("EXFILTRATION 2026-11-20T09:16:"));
  }

  @Test
  void theIncidentStartsAtTheExploitOfTheScannedCve() throws Exception {
    // the request carrying the JNDI lookup to the container that runs an image whose scan lists CVE-2021-44228
    // (jndi_lookup_request: before, the access line with ${jndi:ldap://...} in its User-Agent was context and the path
    // started at the first credential use)
    List<String> stages = new ArrayList<>();
    incident.path("attack_path").forEach(s -> stages.add(s.path("stage").asText()));
    assertThat(stages).first().isEqualTo("ENTRY");
    JsonNode entry = incident.path("attack_path").get(0);
    List<String> rows = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) {
      for (JsonNode id : entry.path("event_ids")) {
        if (id.asText().equals(r.at("/_source/event_id").asText())) rows.add(r.at("/_source/summary").asText());
      }
    }
    assertThat(rows).hasSize(2).anySatisfy(r -> assertThat(r).contains(ATTACKER, "${jndi:ldap://"));
    // since session 19 also the connection that carried it: libpod's state database (the user's bolt_state.db) records
    // orders-api's -p 8080:8080, so the flow from 198.51.100.177 to the host's port 8080 is the container's entry (the
    // flow record's window starts at 09:14:00)
    assertThat(rows).anySatisfy(r -> assertThat(r).contains(ATTACKER + ":40112 -> 10.44.1.21:8080",
        "which container " + API.substring(0, 12) + " publishes"));
    assertThat(entry.path("first_time").asText()).startsWith("2026-11-20T09:14:00");
  }

  // ---------------------------------------------------------------------------------------------------- scope

  @Test
  void scopeOfEachIndicatorIsExactlyTheInvolvedEntities() throws Exception {
    Map<Scope.Indicator, List<String>> containers = Map.of(
        new Scope.Indicator("access_key", KEY_A), List.of(API),
        new Scope.Indicator("principal", SESSION_A), List.of(API),
        new Scope.Indicator("ip", OUTSIDE), List.of(API),
        new Scope.Indicator("ip", ATTACKER), List.of(API),
        new Scope.Indicator("sha256", MINER_SHA256), List.of(API),
        new Scope.Indicator("process", "kthreadd"), List.of(API),
        // GAP: the pool's address names host A's instance only: a rootless container's connections leave through
        // slirp4netns from the host's own address (the flow names no container) and no sensor saw the miner connect
        new Scope.Indicator("ip", "192.0.2.66"), List.of(),
        // the image runs in both containers of host A: root's orders-reports is a bystander of the same image
        new Scope.Indicator("image_digest", IMAGE_DIGEST), List.of(API, REPORTS));
    for (var c : containers.entrySet()) {
      ObjectNode r = ScopeCommand.run(endpoints.openSearchUrl(), List.of(c.getKey()));
      String as = c.getKey().type() + " " + c.getKey().value() + ": " + Scope.table(r);
      assertThat(IncidentPipelineIT.values(r, "accounts")).as(as).containsExactly(ACCT);
      assertThat(IncidentPipelineIT.values(r, "containers")).as(as).containsExactlyInAnyOrderElementsOf(c.getValue());
      assertThat(IncidentPipelineIT.values(r, "instances")).as(as).containsExactly(INSTANCE_A);
      assertThat(IncidentPipelineIT.values(r, "pods")).as(as).isEmpty();
      assertThat(r.path("incidents")).as(as).extracting(x -> x.path("incident_id").asText())
          .contains(incident.path("incident_id").asText());
    }
  }

  // --------------------------------------------------------------------------------------------------- report

  @Test
  void theReportRendersTheIncidentWithTheImagesCve(@TempDir Path out) throws Exception {
    ScenarioRun.Report rendered = ScenarioRun.report(endpoints, incident, out);
    Files.writeString(Path.of("target", "podman-report.md"), rendered.md());
    assertThat(rendered.html()).startsWith("<!DOCTYPE html>").contains(API.substring(0, 12)).contains(INSTANCE_A)
        .doesNotContain(REPORTS.substring(0, 12));
    // the image's known vulnerabilities from its scan, worst first (before, the report named no CVE: the scan's
    // findings are bound to the image, a context entity, not to the incident)
    String md = rendered.md();
    assertThat(md).contains("kthreadd").contains("ListAttachedRolePolicies").contains("## Known vulnerabilities of the images");
    String findings = md.substring(md.indexOf("## Known vulnerabilities"), md.indexOf("## Attack path"));
    assertThat(findings).contains("| " + CVE + " | CRITICAL | 10.0 | org.apache.logging.log4j:log4j-core 2.14.1 |");
    assertThat(findings.indexOf(CVE)).isLessThan(findings.indexOf("CVE-2024-2511"));
    assertThat(md.indexOf("## Entry")).isLessThan(md.indexOf("## Known vulnerabilities"));
  }
}
