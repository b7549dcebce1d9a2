package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every docker json-file log, Kubernetes audit file, CloudTrail file, Falco JSON alert file and Tetragon event file
 * of the shared
 * conformance corpus
 * ({@code <strata.shared.dir>/corpus}, see its PROVENANCE.md) parses with no dead letters, into as many events as
 * the file has records (counted here independently with a plain Jackson tree read), under both LINES and WHOLE
 * framing, in one chunk.
 */
class CorpusConformanceTest {

  private static final ObjectMapper M = new ObjectMapper();
  private static final AvroCodec<EvidenceEvent> CODEC = AvroCodec.of(EvidenceEvent.class);

  /**
   * Dead letters we expect, by file (relative to the corpus) and reason. None: every line of the corpus is a valid
   * record of its format. Looked at and deliberately not here:
   *
   * <ul>
   *   <li>docker/fluent-bit/options_merge-log-enabled_invalid-json.log: the *inner* log text
   *       ({@code {"text":"Simple text"]}) is invalid JSON, but the json-file line itself is valid: one event whose
   *       message is that text. Merging inner JSON is not this parser's job.
   *   <li>docker/fluent-bit/options_merge-log-trim-enabled_json.log: the inner text holds a newline inside a JSON
   *       string; again a valid docker line, kept verbatim.
   *   <li>docker/docker-explorer/.../8e8b7f23...-json.log and 9949fa15...-json.log are empty: no events, no dead
   *       letters.
   *   <li>k8s-audit create_secret.json and create_nginx_service_nodeport.json end with a blank line: skipped.
   *   <li>docker/dockerd_desktop_debug_docs-excerpt.log is a dockerd daemon log (text), not a json-file container
   *       log, and is not fed to docker_json_log.
   * </ul>
   */
  private static final Map<String, List<String>> EXPECTED_DEAD_LETTERS = Map.of();

  /**
   * Records that parse with a warning (kept, flagged), by file: plaso's docker fixture deliberately writes one
   * timestamp without a UTC offset ({@code 2016-01-07T16:49:10.0}); it is read as UTC with a warning. Tetragon's
   * testdata/events.json has one process_exec line without a top-level {@code time}: observed time, warned.
   */
  private static final Map<String, Integer> EXPECTED_WARNINGS =
      Map.of("docker/plaso/e7d0b7ea5ccf_container-json.log", 1, "tetragon/testdata_events.json", 1);

  private static Path corpus;

  @BeforeAll
  static void locate() {
    String shared = System.getProperty("strata.shared.dir");
    if (shared == null || shared.isBlank()) {
      throw new IllegalStateException(
          "system property strata.shared.dir is not set (the parent pom's surefire config sets it to "
              + "<root>/../shared); run through Maven or pass -Dstrata.shared.dir=/path/to/shared");
    }
    corpus = Path.of(shared).resolve("corpus").toAbsolutePath().normalize();
    if (!Files.isDirectory(corpus.resolve("docker")) || !Files.isDirectory(corpus.resolve("k8s-audit"))
        || !Files.isDirectory(corpus.resolve("cloudtrail"))) {
      throw new IllegalStateException(
          "shared conformance corpus not found at " + corpus + " (strata.shared.dir=" + shared
              + "): expected docker/, k8s-audit/ and cloudtrail/ in it");
    }
  }

  @TestFactory
  Stream<DynamicTest> dockerJsonLogs() throws IOException {
    return files("docker", this::isDockerJsonLog).stream()
        .flatMap(f -> both(f, "docker_json_log"));
  }

  @TestFactory
  Stream<DynamicTest> kubernetesAudit() throws IOException {
    return files("k8s-audit", p -> true).stream().flatMap(f -> both(f, "k8s_audit"));
  }

  @TestFactory
  Stream<DynamicTest> cloudTrail() throws IOException {
    return files("cloudtrail", p -> true).stream().flatMap(f -> both(f, "aws_cloudtrail"));
  }

  /**
   * CRI (containerd / CRI-O) logs. plaso's cri.log starts with a stdout P piece from 2016 whose F comes five lines
   * later: the kubelet joins them, and so do we (16 events from 17 lines).
   */
  @TestFactory
  Stream<DynamicTest> criLogs() throws IOException {
    List<Path> cri = files("cri", p -> p.getFileName().toString().endsWith(".log"));
    assertThat(cri).as("CRI logs in the corpus").isNotEmpty();
    return cri.stream().flatMap(f -> both(f, "cri_log"));
  }

  /** Falco json_output lines and the Falcosidekick POST body (the text output: {@link #falcoTextOutputMatchesItsJsonTwin}). */
  @TestFactory
  Stream<DynamicTest> falcoAlerts() throws IOException {
    return files("falco", p -> p.getFileName().toString().endsWith(".json")).stream()
        .flatMap(f -> both(f, "falco_alert"));
  }

  /**
   * Falco's test output pair: the same eight alerts as text (json_output: false, ISO 8601 times) and as JSON. The text
   * form names no rule and no host; everything else it prints must come out as the JSON form's.
   */
  @Test
  void falcoTextOutputMatchesItsJsonTwin() throws IOException {
    Path text = corpus.resolve("falco/falco_single_rule_with_cat_write.txt");
    Path json = corpus.resolve("falco/falco_single_rule_with_cat_write.json");
    var fromText = new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.fromFile(text, "falco_alert", Framing.LINES, "falco/" + text.getFileName()));
    var fromJson = new ChunkParser(ParserRegistry.defaults())
        .parse(Chunks.fromFile(json, "falco_alert", Framing.LINES, "falco/" + json.getFileName()));
    assertThat(fromText.deadLetters()).isEmpty();
    assertThat(fromText.events()).hasSize(fromJson.events().size()).hasSize(8);
    for (int i = 0; i < 8; i++) {
      EvidenceEvent t = fromText.events().get(i);
      EvidenceEvent j = fromJson.events().get(i);
      assertThat(t.getClassUid()).isEqualTo(2004);
      assertThat(t.getTime()).isEqualTo(j.getTime());
      assertThat(t.getSeverityId()).isEqualTo(j.getSeverityId());
      assertThat(t.getFinding().getPriority()).isEqualTo(j.getFinding().getPriority());
      assertThat(t.getProcess().getCmdLine()).isEqualTo(j.getProcess().getCmdLine());
      assertThat(t.getFinding().getTitle()).isEqualTo("An open was seen");
      assertThat(j.getMessage()).endsWith(t.getMessage());
      assertThat(CODEC.decode(CODEC.encode(t))).isEqualTo(t);
    }
  }

  /**
   * Tetragon: testdata/events.json (JSON lines) and the pretty-printed single events of the eBPF book examples,
   * including the legacy process_connect/listen/close events (activity Other).
   */
  @TestFactory
  Stream<DynamicTest> tetragonEvents() throws IOException {
    return files("tetragon", p -> p.getFileName().toString().endsWith(".json")).stream()
        .flatMap(f -> both(f, "tetragon_event"));
  }

  /**
   * Docker container state files (docker-explorer's containers/&lt;id&gt;/config.v2.json, legacy config.json and
   * hostconfig.json; plaso's e7d0b7ea5ccf_config.json), read where they are: one WHOLE chunk per file, no dead
   * letters; a config gives one event per lifecycle timestamp that is not Docker's zero time (counted here with a
   * plain Jackson read), a hostconfig one "configured" event at observed time (warned: the file has no time).
   */
  @TestFactory
  Stream<DynamicTest> dockerContainerConfigs() throws IOException {
    return files("docker", CorpusConformanceTest::isContainerConfig).stream()
        .map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> checkContainerConfig(f)));
  }

  private static boolean isContainerConfig(Path p) {
    return p.getFileName().toString().matches("(.*_)?(config\\.v2|config|hostconfig)\\.json");
  }

  private void checkContainerConfig(Path file) throws IOException {
    String rel = corpus.relativize(file).toString();
    String format = "docker_container_config";
    var res = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.fromFile(file, format, Framing.WHOLE, rel));
    assertThat(res.deadLetters()).as("dead letters of %s: %s", rel,
        res.deadLetters().stream().map(DeadLetter::getMessage).toList()).isEmpty();
    JsonNode root = M.readTree(file.toFile());
    boolean host = file.getFileName().toString().equals("hostconfig.json");
    int expected = 1;
    if (!host) {
      expected = 0;
      for (JsonNode t : new JsonNode[] {root.path("Created"), root.path("State").path("StartedAt"),
          root.path("State").path("FinishedAt")}) {
        if (t.isTextual() && !t.asText().startsWith("0001-01-01")) expected++;
      }
    }
    assertThat(res.events()).as("events of %s", rel).hasSize(expected);
    for (EvidenceEvent e : res.events()) {
      assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
      assertThat(e.getEventId()).matches("[0-9a-f]{64}");
      assertThat(e.getSourceFormat()).isEqualTo(format);
      assertThat(e.getClassUid()).isZero();
      assertThat(e.getActivityId()).isEqualTo(99);
      assertThat(e.getLineage().getByteOffset()).isZero();
      assertThat(e.getRawData()).isNull();
      if (host) {
        assertThat(e.getActivityName()).isEqualTo("configured");
        assertThat(e.getContainer().getUid()).isEqualTo(file.getParent().getFileName().toString());
        assertThat(e.getUnmapped()).containsKeys("hostconfig.privileged", "hostconfig.network_mode",
            Events.WARNING_KEY);
      } else {
        assertThat(e.getActivityName()).isIn("created", "started", "finished");
        assertThat(e.getUnmapped()).doesNotContainKey(Events.WARNING_KEY);
        assertThat(e.getTimeOriginal()).isNotBlank().doesNotStartWith("0001");
        assertThat(e.getContainer().getUid()).isEqualTo(root.path("ID").asText());
        assertThat(e.getContainer().getImageName()).isEqualTo(root.path("Config").path("Image").asText());
        assertThat(e.getProcess().getCmdLine()).isNotBlank();
        assertThat(e.getSrcEndpoint().getHostname()).isEqualTo(root.path("Config").path("Hostname").asText());
        if (e.getSrcEndpoint().getIp() != null) {
          assertThat(e.getSrcEndpoint().getIp()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        }
        assertThat(e.getUnmapped()).containsKeys("config.env_names", "state.pid");
        for (JsonNode env : root.path("Config").path("Env")) {
          String v = env.asText();
          if (v.indexOf('=') > 0 && v.length() > v.indexOf('=') + 1) {
            assertThat(e.toString()).doesNotContain(v); // names only, never values
          }
        }
      }
    }
  }

  /**
   * Podman: the events doc's JSON lines and text lines (one event per non-blank line, none rejected: every line of
   * the text excerpt is container / pod / volume), and the runtime-spec's example config.json files (one
   * "configured" event each; FreeBSD's has no linux section, so no namespace hints).
   */
  @TestFactory
  Stream<DynamicTest> podman() throws IOException {
    List<Path> events = files("podman", p -> p.getFileName().toString().startsWith("podman-events"));
    List<Path> oci = files("podman/oci-runtime-spec", p -> p.toString().endsWith(".json"));
    assertThat(events).hasSize(2);
    assertThat(oci).hasSize(3);
    return Stream.concat(
        events.stream().map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> {
          String rel = corpus.relativize(f).toString();
          var res = new ChunkParser(ParserRegistry.defaults())
              .parse(Chunks.fromFile(f, "podman_events", Framing.LINES, rel));
          assertThat(res.deadLetters()).as("dead letters of %s", rel).isEmpty();
          long lines = Files.readAllLines(f).stream().filter(l -> !l.isBlank()).count();
          assertThat(res.events()).hasSize((int) lines);
          for (EvidenceEvent e : res.events()) {
            assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
            assertThat(e.getUnmapped()).doesNotContainKey(Events.WARNING_KEY);
            assertThat(e.getTimeOriginal()).isNotBlank();
            assertThat(e.getActivityName()).isNotBlank();
            if ("container".equals(e.getUnmapped().get("podman.type"))) {
              assertThat(e.getContainer().getUid()).matches("[0-9a-f]{12,64}");
              assertThat(e.getContainer().getImageName()).isNotBlank();
              assertThat(e.getContainer().getName()).isNotBlank();
            }
          }
        })),
        oci.stream().map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> {
          String rel = corpus.relativize(f).toString();
          var res = new ChunkParser(ParserRegistry.defaults())
              .parse(Chunks.fromFile(f, "oci_runtime_config", Framing.WHOLE, rel));
          assertThat(res.deadLetters()).as("dead letters of %s", rel).isEmpty();
          assertThat(res.events()).hasSize(1);
          EvidenceEvent e = res.events().get(0);
          assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
          assertThat(e.getActivityName()).isEqualTo("configured");
          assertThat(e.getUnmapped().get("oci_version")).isEqualTo(M.readTree(f.toFile()).path("ociVersion").asText());
          if (rel.contains("netdevice")) {
            assertThat(e.getUnmapped()).containsEntry("linux.net_devices", "eth0,ens4,ens5");
            assertThat(e.getProcess()).isNull(); // a minimal config: root and linux only
          } else {
            assertThat(e.getProcess().getCmdLine()).isEqualTo("sh");
          }
          assertThat(e.getRawData()).isNull();
          if (rel.contains("freebsd")) assertThat(e.getUnmapped()).doesNotContainKey("strata.risk");
        })));
  }

  /**
   * SBOMs and scan results (sbom/syft, sbom/grype: anchore's own test snapshots), one WHOLE chunk per file: no dead
   * letters; one event per package (SPDX packages minus the image root package, CycloneDX components with nested
   * ones, syft artifacts) or per match (grype matches, CycloneDX vulnerability x affected component), counted here
   * with a plain tree read; the image the document describes is bound on every event. The snapshots' "redacted" or
   * empty timestamps and syft JSON (no creation time) give observed time with a warning.
   */
  @TestFactory
  Stream<DynamicTest> sbomsAndScans() throws IOException {
    List<Path> files = files("sbom", p -> p.getFileName().toString().endsWith(".json"));
    assertThat(files).as("SBOM corpus").hasSize(8);
    return files.stream().map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> checkSbom(f)));
  }

  static String sbomFormat(Path f) {
    String n = f.getFileName().toString();
    if (n.endsWith(".spdx.json")) return "spdx_sbom";
    if (n.endsWith(".syft.json")) return "syft_sbom";
    if (n.endsWith(".grype.json")) return "grype_scan";
    return f.getParent().getFileName().toString().equals("grype") ? "grype_scan" : "cyclonedx_sbom";
  }

  private void checkSbom(Path file) throws IOException {
    String rel = corpus.relativize(file).toString();
    String format = sbomFormat(file);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.fromFile(file, format, Framing.WHOLE, rel));
    assertThat(res.deadLetters()).as("dead letters of %s: %s", rel,
        res.deadLetters().stream().map(DeadLetter::getMessage).toList()).isEmpty();
    JsonNode root = M.readTree(file.toFile());
    int expected = 0;
    switch (format) {
      case "spdx_sbom" -> {
        for (JsonNode p : root.path("packages")) if (!"CONTAINER".equals(p.path("primaryPackagePurpose").asText())) expected++;
      }
      case "syft_sbom" -> expected = root.path("artifacts").size();
      case "cyclonedx_sbom" -> expected = countComponents(root.path("components"));
      default -> {
        expected = root.path("matches").size();
        for (JsonNode v : root.path("vulnerabilities")) expected += Math.max(1, v.path("affects").size());
      }
    }
    assertThat(res.events()).as("events of %s", rel).hasSize(expected);
    String digest = root.path("source").path("target").path("manifestDigest").asText(
        root.path("source").path("metadata").path("manifestDigest").asText(null));
    for (EvidenceEvent e : res.events()) {
      assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
      assertThat(e.getSourceFormat()).isEqualTo(format);
      assertThat(e.getClassUid()).isEqualTo(format.equals("grype_scan") ? 2002 : 5001);
      assertThat(e.getPackage$().getName()).isNotBlank();
      assertThat(e.getContainer()).as("image binding in %s", rel).isNotNull();
      assertThat(e.getContainer().getImageName()).isNotBlank();
      if (digest != null) assertThat(e.getContainer().getImageDigest()).isEqualTo(digest);
      int off = (int) (long) e.getLineage().getByteOffset();
      assertThat(Files.readAllBytes(file)[off]).isEqualTo((byte) '{');
      if (format.equals("grype_scan")) {
        assertThat(e.getVulnerability().getUid()).startsWith("CVE-");
        assertThat(e.getVulnerability().getScore()).isPositive();
        assertThat(e.getSeverityId()).isBetween(1, 5);
      }
    }
  }

  private static int countComponents(JsonNode list) {
    int n = 0;
    for (JsonNode c : list) n += 1 + countComponents(c.path("components"));
    return n;
  }

  /**
   * VPC Flow Logs: the default v2 format with its header (one with a NODATA record) and a Transit Gateway v6 custom
   * header, read as one LINES chunk and as 1-line chunks that carry the header as format_header (as the collector
   * sends them): one Network Activity event per record line, no dead letters.
   */
  @TestFactory
  Stream<DynamicTest> vpcFlowLogs() throws IOException {
    List<Path> logs = files("vpcflow", p -> p.getFileName().toString().endsWith(".log"));
    assertThat(logs).as("VPC flow logs in the corpus").hasSize(3);
    return logs.stream()
        .map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> checkVpcFlow(f)));
  }

  private void checkVpcFlow(Path file) throws IOException {
    String rel = corpus.relativize(file).toString();
    String format = "aws_vpc_flow";
    byte[] content = Files.readAllBytes(file);
    List<String> lines = new String(content, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    String header = lines.get(0);
    assertThat(header).startsWith("version ");
    List<String> fields = List.of(header.split(" "));
    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());
    var whole = cp.parse(Chunks.fromFile(file, format, Framing.LINES, rel));
    List<EvidenceEvent> split = new ArrayList<>();
    for (var c : Chunks.lines(content, format, rel, 1)) {
      var r = cp.parse(dev.strata.schema.raw.RawArtifactChunk.newBuilder(c).setFormatHeader(header).build());
      assertThat(r.deadLetters()).isEmpty();
      split.addAll(r.events());
    }
    assertThat(whole.deadLetters()).as("dead letters of %s: %s", rel,
        whole.deadLetters().stream().map(DeadLetter::getMessage).toList()).isEmpty();
    assertThat(whole.events()).as("events of %s", rel).hasSize(lines.size() - 1);
    assertThat(split).extracting(EvidenceEvent::getRawData)
        .containsExactlyElementsOf(whole.events().stream().map(EvidenceEvent::getRawData).toList());
    assertThat(split).extracting(e -> e.getLineage().getByteOffset())
        .containsExactlyElementsOf(whole.events().stream().map(e -> e.getLineage().getByteOffset()).toList());
    for (int i = 0; i < whole.events().size(); i++) {
      EvidenceEvent e = whole.events().get(i);
      String[] v = lines.get(i + 1).split(" ");
      assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
      assertThat(e.getClassUid()).isEqualTo(4001);
      assertThat(e.getActivityId()).isEqualTo(6);
      assertThat(e.getSourceFormat()).isEqualTo(format);
      assertThat(e.getTimeOriginal()).isEqualTo(v[fields.indexOf("start")]);
      assertThat(e.getTime().getEpochSecond()).isEqualTo(Long.parseLong(v[fields.indexOf("start")]));
      assertThat(e.getEndTime().getEpochSecond()).isEqualTo(Long.parseLong(v[fields.indexOf("end")]));
      assertThat(e.getCloud().getAccountUid()).isEqualTo(v[fields.indexOf("account-id")]);
      assertThat(e.getNetwork().getLogStatus()).isEqualTo(v[fields.indexOf("log-status")]);
      assertThat(e.getRawData()).isEqualTo(lines.get(i + 1));
      assertThat(e.getLineage().getLineNumber()).isEqualTo(i + 2L);
      assertThat(e.getUnmapped()).doesNotContainKey(Events.WARNING_KEY);
      String src = v[fields.indexOf("srcaddr")];
      if (src.equals("-")) {
        assertThat(e.getSrcEndpoint().getIp()).isNull();
      } else {
        assertThat(e.getSrcEndpoint().getIp()).isEqualTo(src);
        assertThat(e.getDstEndpoint().getIp()).isEqualTo(v[fields.indexOf("dstaddr")]);
        assertThat(e.getDstEndpoint().getPort()).isEqualTo(Integer.parseInt(v[fields.indexOf("dstport")]));
        assertThat(e.getNetwork().getProtocol()).isEqualTo("tcp");
        assertThat(e.getNetwork().getBytes()).isEqualTo(Long.parseLong(v[fields.indexOf("bytes")]));
      }
      if (fields.contains("interface-id")) {
        assertThat(e.getCloud().getEniUid()).isEqualTo(v[fields.indexOf("interface-id")]);
        assertThat(e.getSrcEndpoint().getInterfaceUid()).isEqualTo(v[fields.indexOf("interface-id")]);
      }
      if (fields.contains("tgw-src-vpc-id")) {
        assertThat(e.getSrcEndpoint().getVpcUid()).isEqualTo(v[fields.indexOf("tgw-src-vpc-id")]);
        assertThat(e.getDstEndpoint().getVpcUid()).isEqualTo(v[fields.indexOf("tgw-dst-vpc-id")]);
        assertThat(e.getNetwork().getDirection()).isEqualTo("Inbound");
        assertThat(e.getUnmapped()).containsEntry("tgw-id", v[fields.indexOf("tgw-id")]);
      }
    }
  }

  /**
   * ECS task metadata v2 and v4 documents (DataDog agent test data): one task event and one event per container,
   * all naming the task ARN; the container events carry DockerId, image and the container's IPv4 address.
   */
  @TestFactory
  Stream<DynamicTest> ecsTaskMetadata() throws IOException {
    List<Path> docs = files("ecs", p -> p.getFileName().toString().endsWith(".json"));
    assertThat(docs).as("ECS documents in the corpus").hasSize(2);
    return docs.stream().map(f -> DynamicTest.dynamicTest(corpus.relativize(f).toString(), () -> checkEcs(f)));
  }

  private void checkEcs(Path file) throws IOException {
    String rel = corpus.relativize(file).toString();
    String format = "aws_ecs_task_metadata";
    var res = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.fromFile(file, format, Framing.WHOLE, rel));
    assertThat(res.deadLetters()).as("dead letters of %s: %s", rel,
        res.deadLetters().stream().map(DeadLetter::getMessage).toList()).isEmpty();
    JsonNode root = M.readTree(file.toFile());
    JsonNode containers = root.path("Containers");
    assertThat(res.events()).as("events of %s", rel).hasSize(1 + containers.size());
    String taskArn = root.path("TaskARN").asText();
    EvidenceEvent task = res.events().get(0);
    assertThat(task.getActivityName()).isEqualTo("task");
    assertThat(task.getCloud().getClusterUid()).isEqualTo(root.path("Cluster").asText());
    assertThat(task.getCloud().getAvailabilityZone()).isEqualTo(root.path("AvailabilityZone").asText());
    assertThat(task.getCloud().getAccountUid()).matches("\\d{12}");
    assertThat(task.getSrcEndpoint().getIp())
        .isEqualTo(containers.path(0).path("Networks").path(0).path("IPv4Addresses").path(0).asText());
    assertThat(task.getStartTime()).isNotNull();
    for (int i = 0; i < res.events().size(); i++) {
      EvidenceEvent e = res.events().get(i);
      assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
      assertThat(e.getEventId()).matches("[0-9a-f]{64}");
      assertThat(e.getClassUid()).isZero();
      assertThat(e.getCloud().getTaskUid()).isEqualTo(taskArn);
      assertThat(e.getUnmapped()).doesNotContainKey(Events.WARNING_KEY);
      if (i == 0) continue;
      JsonNode c = containers.get(i - 1);
      assertThat(e.getActivityName()).isEqualTo("container");
      assertThat(e.getContainer().getUid()).isEqualTo(c.path("DockerId").asText());
      assertThat(e.getContainer().getName()).isEqualTo(c.path("Name").asText());
      assertThat(e.getContainer().getImageName()).isEqualTo(c.path("Image").asText());
      assertThat(e.getSrcEndpoint().getIp())
          .isEqualTo(c.path("Networks").path(0).path("IPv4Addresses").path(0).asText());
      assertThat(e.getTimeOriginal()).isEqualTo(c.path("StartedAt").asText());
    }
  }

  @TestFactory
  Stream<DynamicTest> theCorpusIsWhereWeThinkItIs() throws IOException {
    return Stream.of(
        DynamicTest.dynamicTest("docker json logs", () -> assertThat(files("docker", this::isDockerJsonLog)).hasSizeGreaterThanOrEqualTo(13)),
        DynamicTest.dynamicTest("k8s audit", () -> assertThat(files("k8s-audit", p -> true)).hasSizeGreaterThanOrEqualTo(25)),
        DynamicTest.dynamicTest("cloudtrail", () -> assertThat(files("cloudtrail", p -> true)).hasSizeGreaterThanOrEqualTo(25)),
        DynamicTest.dynamicTest("falco", () -> assertThat(files("falco", p -> p.toString().endsWith(".json"))).hasSize(2)),
        DynamicTest.dynamicTest("falco text", () -> assertThat(files("falco", p -> p.toString().endsWith(".txt"))).hasSize(1)),
        DynamicTest.dynamicTest("docker container configs", () -> assertThat(files("docker", CorpusConformanceTest::isContainerConfig)).hasSize(13)),
        DynamicTest.dynamicTest("tetragon", () -> assertThat(files("tetragon", p -> p.toString().endsWith(".json"))).hasSize(16)));
  }

  private boolean isDockerJsonLog(Path p) {
    String n = p.getFileName().toString();
    if (n.endsWith("-json.log")) return true; // includes plaso's *container-json.log
    if (p.toString().contains("/fluent-bit/") && n.endsWith(".log")) return true;
    return false;
  }

  private static List<Path> files(String dir, java.util.function.Predicate<Path> keep) throws IOException {
    try (Stream<Path> s = Files.walk(corpus.resolve(dir))) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md"))
          .filter(keep)
          .sorted()
          .toList();
    }
  }

  private Stream<DynamicTest> both(Path file, String format) {
    String rel = corpus.relativize(file).toString();
    return Stream.of(Framing.LINES, Framing.WHOLE)
        .map(f -> DynamicTest.dynamicTest(rel + " [" + f + "]", () -> check(file, rel, format, f)));
  }

  private void check(Path file, String rel, String format, Framing framing) throws IOException {
    byte[] content = Files.readAllBytes(file);
    var res = new ChunkParser(ParserRegistry.defaults()).parse(Chunks.fromFile(file, format, framing, rel));

    List<String> reasons = res.deadLetters().stream().map(DeadLetter::getReason).toList();
    assertThat(reasons)
        .as("dead letters of %s: %s", rel, res.deadLetters().stream().map(DeadLetter::getMessage).toList())
        .containsExactlyInAnyOrderElementsOf(EXPECTED_DEAD_LETTERS.getOrDefault(rel, List.of()));
    assertThat(res.events()).as("events of %s", rel)
        .hasSize(format.equals("cri_log") ? countCriRecords(content) : countRecords(content, format));

    long warned = res.events().stream().filter(e -> e.getUnmapped().containsKey(Events.WARNING_KEY)).count();
    assertThat(warned)
        .as("warnings in %s: %s", rel, res.events().stream().map(e -> e.getUnmapped().get(Events.WARNING_KEY)).toList())
        .isEqualTo(EXPECTED_WARNINGS.getOrDefault(rel, 0).longValue());

    for (EvidenceEvent e : res.events()) {
      assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e); // goes on the wire as is
      assertThat(e.getEventId()).matches("[0-9a-f]{64}");
      assertThat(e.getSourceFormat()).isEqualTo(format);
      int off = (int) (long) e.getLineage().getByteOffset();
      if (format.equals("cri_log")) {
        assertThat(content[off]).as("record start in %s", rel).isBetween((byte) '0', (byte) '9');
      } else {
        assertThat(content[off]).as("record start in %s", rel).isEqualTo((byte) '{');
      }
      assertThat(e.getLineage().getLineNumber())
          .isEqualTo(1 + new String(content, 0, off, StandardCharsets.ISO_8859_1).chars().filter(c -> c == '\n').count());
      switch (format) {
        case "docker_json_log" -> {
          assertThat(e.getClassUid()).isZero();
          assertThat(e.getLog().getStream()).isIn("stdout", "stderr");
          assertThat(e.getMessage()).isNotNull();
        }
        case "cri_log" -> {
          assertThat(e.getClassUid()).isZero();
          assertThat(e.getLog().getStream()).isIn("stdout", "stderr");
          assertThat(e.getMessage()).isNotNull();
          assertThat(e.getTimeOriginal()).isNotBlank();
          assertThat(e.getContainer().getRuntime()).isNotBlank();
        }
        case "k8s_audit" -> {
          assertThat(e.getClassUid()).isEqualTo(6003);
          assertThat(e.getApi().getOperation()).isNotBlank();
          assertThat(e.getApi().getRequestUid()).isNotBlank();
          assertThat(e.getActor().getUserName()).isNotBlank();
          assertThat(e.getStatus()).isIn("Success", "Failure");
        }
        case "falco_alert" -> {
          assertThat(e.getClassUid()).isEqualTo(2004);
          assertThat(e.getFinding().getRule()).isNotBlank();
          assertThat(e.getFinding().getTitle()).isEqualTo(e.getFinding().getRule());
          assertThat(e.getSeverityId()).isBetween(1, 5);
          assertThat(e.getMessage()).isNotBlank();
          assertThat(e.getTimeOriginal()).isNotBlank();
          assertThat(e.getDevice().getHostname()).isNotBlank();
          assertThat(e.getProcess().getCmdLine()).isNotBlank();
          assertThat(e.getUnmapped()).containsKey("output_fields.proc.cmdline");
        }
        case "tetragon_event" -> {
          assertThat(e.getClassUid()).isEqualTo(1007);
          assertThat(e.getCategoryUid()).isEqualTo(1);
          assertThat(e.getActivityId()).isIn(1, 2, 99);
          assertThat(e.getActivityName()).isNotBlank();
          assertThat(e.getUnmapped().get("event_type")).startsWith("process_");
          assertThat(e.getDevice().getHostname()).isNotBlank();
          assertThat(e.getProcess().getPid()).isPositive();
          assertThat(e.getProcess().getExecutable()).startsWith("/");
          assertThat(e.getUnmapped()).containsKey("process.exec_id");
          if (e.getContainer() != null) {
            assertThat(e.getContainer().getUid()).isNotBlank().doesNotContain("://");
            assertThat(e.getContainer().getRuntime()).isIn("containerd", "docker", "cri-o");
          }
          if (!e.getUnmapped().containsKey(Events.WARNING_KEY)) assertThat(e.getTimeOriginal()).isNotBlank();
        }
        default -> {
          String op = e.getApi().getOperation();
          int cls = op.equals("ConsoleLogin") || op.startsWith("AssumeRole") || op.equals("GetSessionToken")
              || op.equals("GetFederationToken") ? 3002
              : e.getApi().getService().equals("iam.amazonaws.com") && op.matches(
                  "(Create|Delete)(User|Role|AccessKey|LoginProfile|Group|Policy)|(Attach|Detach|Put|Delete)"
                      + "(User|Role|Group)Policy|UpdateLoginProfile|ChangePassword|UpdateAssumeRolePolicy") ? 3001
              : 6003;
          assertThat(e.getClassUid()).as("class of %s", op).isEqualTo(cls);
          assertThat(e.getApi().getService()).endsWith(".amazonaws.com");
          assertThat(e.getApi().getOperation()).isNotBlank();
          assertThat(e.getCloud().getRegion()).isNotBlank();
          assertThat(e.getTimeOriginal()).isNotBlank();
        }
      }
    }
  }

  /** CRI records: lines tagged F, plus one per stream whose last line is a P piece (P pieces join the next F). */
  private static int countCriRecords(byte[] content) {
    int n = 0;
    java.util.Set<String> open = new java.util.HashSet<>();
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) continue;
      String[] f = line.split(" ", 4);
      if (f[2].startsWith("F")) {
        n++;
        open.remove(f[1]);
      } else {
        open.add(f[1]);
      }
    }
    return n + open.size();
  }

  /** Records in a file, counted with a plain tree read: JSON lines, a Records/Events/items document or an array. */
  private static int countRecords(byte[] content, String format) throws IOException {
    List<JsonNode> roots = new ArrayList<>();
    try (var it = M.readerFor(JsonNode.class).readValues(content)) {
      while (it.hasNext()) roots.add((JsonNode) it.next()); // every root value: JSON lines or one document
    }
    int n = 0;
    for (JsonNode r : roots) {
      if (r == null || r.isMissingNode()) continue;
      if (r.isArray()) n += r.size();
      else if (r.has("Records")) n += r.get("Records").size();
      else if (r.has("Events") && format.equals("aws_cloudtrail")) n += r.get("Events").size();
      else if (r.has("items") && format.equals("k8s_audit")) n += r.get("items").size();
      else n++;
    }
    return n;
  }
}
