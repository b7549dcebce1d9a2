package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code strata parse} in-process: no services, JSON lines on stdout, summary on stderr. */
class ParseCommandTest {
  static final Path HOME = Path.of(System.getProperty("strata.home", "..")).toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  record Run(int exit, List<JsonNode> lines, String stdout, String stderr) {}

  static Run run(String... args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      exit = StrataCli.commandLine().execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    List<JsonNode> lines = new ArrayList<>();
    String stdout = o.toString(StandardCharsets.UTF_8);
    for (String line : stdout.split("\n")) {
      if (line.startsWith("{")) lines.add(JSON.readTree(line));
    }
    return new Run(exit, lines, stdout, e.toString(StandardCharsets.UTF_8));
  }

  @Test
  void parsesTheDemoBundle() throws Exception {
    Run r = run("parse", "--dead-letters", HOME.resolve("examples/demo-bundle").toString());
    long events = r.lines().stream().filter(n -> !n.has("dead_letter")).count();
    List<JsonNode> dead = r.lines().stream().filter(n -> n.has("dead_letter")).toList();
    assertThat(events).as("25 + the node registration audit record (instance id) + 3 from the two CloudTrail digests")
        .isEqualTo(29);
    assertThat(dead).hasSize(3);
    assertThat(dead).extracting(n -> n.path("reason").asText()).containsExactlyInAnyOrder("malformed_json", "malformed_json", "missing_field");
    assertThat(r.exit()).as("dead letters make exit code 1").isEqualTo(1);
    assertThat(r.stderr()).contains("docker_json_log").contains("k8s_audit").contains("aws_cloudtrail").contains("total")
        .contains("aws_cloudtrail_digest");
    List<JsonNode> digests = r.lines().stream()
        .filter(n -> n.path("source_format").asText().equals("aws_cloudtrail_digest")).toList();
    assertThat(digests).extracting(n -> n.path("activity_name").asText())
        .containsExactlyInAnyOrder("digest", "log_file_digested", "digest");
    JsonNode listed = digests.stream().filter(n -> n.path("activity_name").asText().equals("log_file_digested"))
        .findFirst().orElseThrow();
    assertThat(listed.path("file").path("sha256").asText()).as("the log file's hash as its digest lists it")
        .isEqualTo("b01df04923f9d65d9a6b9853ed59bab942571df0b9c23324ddeeb3a30d37a20c");
    assertThat(listed.path("unmapped").path("digest.signature").asText()).as("the .sig sidecar's signature")
        .startsWith("a97ebe33e6734acb");
    JsonNode exec = r.lines().stream().filter(n -> n.path("process").path("cmd_line").asText().equals("sh")).findFirst().orElseThrow();
    assertThat(exec.path("kubernetes").path("cluster").asText()).as("context from strata-context.yaml").isEqualTo("prod-eks");
  }

  /**
   * An evidence bundle with the EC2 inventory a responder saves with `aws ec2 describe-instances` / `describe-network-
   * interfaces` (the parsers' fixtures, read in place, under names that say nothing): recognized by content and read
   * whole, without dead letters.
   */
  @Test
  void parsesAnEc2InventoryInABundle(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path fixtures = HOME.resolve("processing/parsers/src/test/resources/fixtures");
    Files.createDirectories(dir.resolve("case-17/aws"));
    Files.copy(fixtures.resolve("aws_ec2_instances/describe_instances.input"), dir.resolve("case-17/aws/inventory-1.json"));
    Files.copy(fixtures.resolve("aws_ec2_network_interfaces/describe_network_interfaces.input"),
        dir.resolve("case-17/aws/inventory-2.json"));
    Run r = run("parse", "--dead-letters", dir.toString());
    assertThat(r.lines()).noneMatch(n -> n.has("dead_letter"));
    assertThat(r.lines()).filteredOn(n -> n.path("source_format").asText().equals("aws_ec2_instances"))
        .extracting(n -> n.at("/cloud/instance_uid").asText())
        .containsExactly("i-0f1e2d3c4b5a69788", "i-0c0ffee0ecs000001", "i-0d00d00d00d000001");
    assertThat(r.lines()).filteredOn(n -> n.path("source_format").asText().equals("aws_ec2_network_interfaces"))
        .extracting(n -> n.at("/cloud/eni_uid").asText())
        .containsExactly("eni-0a1b2c3d4e5f60001", "eni-0b0b0b0b0b0b0b0b1", "eni-0e0e0e0e0e0e0e0e1");
  }

  @Test
  void parsesASingleFile() throws Exception {
    Path audit = HOME.resolve("examples/demo-bundle/control-plane/var/log/kubernetes/audit/audit.log");
    Run r = run("parse", audit.toString());
    assertThat(r.lines()).hasSize(7);
    assertThat(r.lines()).allSatisfy(n -> assertThat(n.path("source_format").asText()).isEqualTo("k8s_audit"));
  }

  @Test
  void parsesTheRuntimeDaemonLogsOfANodeBundle(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // the EKS log collector's journalctl -u containerd, and sosreport's journalctl --unit crio
    Path fixtures = HOME.resolve("processing/jobs/src/test/resources/fixtures/correlate");
    Path containerd = dir.resolve("eks-logs/containerd/containerd-log.txt");
    Path crio = dir.resolve("sosreport/sos_commands/crio/journalctl_--no-pager_--unit_crio");
    Files.createDirectories(containerd.getParent());
    Files.createDirectories(crio.getParent());
    Files.copy(fixtures.resolve("node-containerd-journal.log"), containerd);
    Files.copy(fixtures.resolve("node-crio-journal.log"), crio);
    Run r = run("parse", dir.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.lines()).hasSize(25 + 11);
    assertThat(r.stderr()).contains("containerd_daemon_log").contains("crio_daemon_log");
    assertThat(r.lines().stream().filter(n -> n.path("activity_name").asText().equals("exited")))
        .extracting(n -> n.path("source_format").asText(), n -> n.path("time").asText())
        .contains(org.assertj.core.groups.Tuple.tuple("containerd_daemon_log", "2026-11-20T10:20:00.350000Z"));
    assertThat(r.lines().stream().filter(n -> n.path("activity_name").asText().equals("stopped")
        && n.path("source_format").asText().equals("crio_daemon_log")))
        .extracting(n -> n.path("kubernetes").path("pod_name").asText()).containsExactly("web-0");
  }

  @Test
  void missingPathIsAClearError() throws Exception {
    Run r = run("parse", "/nonexistent/evidence");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.stderr()).contains("no such file or directory");
  }

  @Test
  void helpListsTheCommands() throws Exception {
    Run r = run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).contains("demo", "stack", "collect", "job", "parse", "verify");
  }

  static Path corpus(String dir) {
    Path p = Path.of(System.getProperty("strata.shared.dir", "../../shared")).resolve("corpus").resolve(dir);
    assertThat(Files.isDirectory(p)).as("the shared corpus at %s (CI has ../shared)", p).isTrue();
    return p;
  }

  @Test
  void sharedCorpusParsesWithoutDeadLetters() throws Exception {
    for (String dir : List.of("k8s-audit", "cloudtrail", "docker", "cri", "falco", "tetragon", "vpcflow", "ecs", "sbom", "podman")) {
      Run r = run("parse", "--dead-letters", corpus(dir).toString());
      assertThat(r.lines().stream().filter(n -> n.has("dead_letter")).toList()).as("dead letters in %s: %s", dir, r.stderr()).isEmpty();
      assertThat(r.lines()).as("events of %s", dir).isNotEmpty();
    }
  }

  /** VPC flow logs and ECS task metadata are recognized by content and parsed end to end (header on every chunk). */
  @Test
  void vpcFlowAndEcsCorpusEndToEnd() throws Exception {
    Run flow = run("parse", "--dead-letters", corpus("vpcflow").toString());
    assertThat(flow.lines()).as("vpcflow: %s", flow.stderr()).hasSize(4)
        .allSatisfy(n -> assertThat(n.path("source_format").asText()).isEqualTo("aws_vpc_flow"));
    Run ecs = run("parse", "--dead-letters", corpus("ecs").toString());
    assertThat(ecs.lines()).as("ecs: %s", ecs.stderr()).hasSize((1 + 2) + (1 + 2))
        .allSatisfy(n -> assertThat(n.path("source_format").asText()).isEqualTo("aws_ecs_task_metadata"));
  }
}
