package dev.strata.parse.formats.containerddaemonlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * containerd's daemon log: the fixtures (fixtures/containerd_daemon_log, see fixtures/README.md) through the contract
 * test, then one message kind at a time in the wordings of containerd 1.6 (gogo-protobuf {@code %+v}) and 1.7 / 2.x
 * (protobuf text).
 */
class ContainerdDaemonLogParserTest extends ParserContractTest {
  static final String SB = "9c1e4b7a2d3f5e6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c";
  static final String CT = "3f4e8a9c2b1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";

  @Override
  protected EvidenceParser parser() {
    return new ContainerdDaemonLogParser();
  }

  private DaemonLogReader.Counts counts(String file) throws Exception {
    String content = Files.readString(fixtureDir(format()).resolve(file), StandardCharsets.UTF_8);
    return new ContainerdDaemonLogParser()
        .parseCounting(Chunks.single(content, format(), Framing.LINES, "x/" + file), new CollectingOutput());
  }

  /** One logfmt line of containerd with message {@code msg} (quoted as logrus quotes it). */
  static String line(String msg) {
    return "time=\"2026-11-20T10:00:00Z\" level=info msg=\"" + msg.replace("\\", "\\\\").replace("\"", "\\\"")
        + "\"\n";
  }

  private EvidenceEvent one(String msg) throws Exception {
    CollectingOutput out = parse(line(msg), Framing.LINES, "containerd.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    return out.events.get(0);
  }

  @Test
  void otherProgramsAreSkippedAndCounted() throws Exception {
    assertThat(counts("short-precise.input")).isEqualTo(new DaemonLogReader.Counts(17, 1, 1));
  }

  @Test
  void taskExitReadsTheSameInGogoAndProtobufTextAndTakesExitedAtAsTime() throws Exception {
    EvidenceEvent gogo = one("TaskExit event &TaskExit{ContainerID:" + CT + ",ID:" + CT + ",Pid:4242,ExitStatus:137,"
        + "ExitedAt:2026-11-20 10:05:00.25 +0100 CET,XXX_unrecognized:[],}");
    EvidenceEvent proto = one("TaskExit event container_id:\"" + CT + "\" id:\"" + CT + "\" pid:4242 exit_status:137"
        + " exited_at:{seconds:1795165500 nanos:250000000}");
    for (EvidenceEvent e : new EvidenceEvent[] {gogo, proto}) {
      assertThat(e.getActivityName()).isEqualTo("exited");
      assertThat(e.getContainer().getUid()).isEqualTo(CT);
      assertThat(e.getStatusCode()).isEqualTo("137");
      assertThat(e.getStatus()).isEqualTo("Failure");
      assertThat(e.getProcess().getPid()).isEqualTo(4242L);
      assertThat(e.getTime()).hasToString("2026-11-20T09:05:00.250Z");
      assertThat(e.getUnmapped()).containsEntry("containerd.logged_at", "2026-11-20T10:00:00Z");
    }
  }

  @Test
  void anExecsExitIsNotTheContainersEnd() throws Exception {
    EvidenceEvent e = one("TaskExit event container_id:\"" + CT + "\" id:\"exec-1\" pid:77 exit_status:0"
        + " exited_at:{seconds:1795165500}");
    assertThat(e.getActivityName()).isEqualTo("exec_exited");
    assertThat(e.getUnmapped()).containsEntry("exec_id", "exec-1");
    assertThat(e.getStatus()).isEqualTo("Success");
  }

  @Test
  void aZeroOrUnreadableExitedAtKeepsTheLinesTime() throws Exception {
    EvidenceEvent zero = one("TaskExit event container_id:\"" + CT + "\" id:\"" + CT + "\" pid:1 exit_status:0"
        + " exited_at:{}");
    assertThat(zero.getTime()).hasToString("2026-11-20T10:00:00Z");
    EvidenceEvent bad = one("TaskExit event &TaskExit{ContainerID:" + CT + ",ID:" + CT + ",Pid:1,ExitStatus:0,"
        + "ExitedAt:0001-01-01 00:00:00 +0000 UTC,}");
    assertThat(bad.getTime()).hasToString("2026-11-20T10:00:00Z");
    assertThat(bad.getUnmapped().get("strata.warning")).contains("unreadable ExitedAt");
  }

  @Test
  void failedCallsCarryTheirErrorAndAreNoEnd() throws Exception {
    String line = "time=\"2026-11-20T10:00:00Z\" level=error msg=\"StopContainer for \\\"" + CT + "\\\" failed\""
        + " error=\"rpc error: code = DeadlineExceeded\"\n";
    EvidenceEvent e = parse(line, Framing.LINES, "containerd.log").events.get(0);
    assertThat(e.getActivityName()).isEqualTo("stop_failed");
    assertThat(e.getStatus()).isEqualTo("Failure");
    assertThat(e.getStatusDetail()).isEqualTo("rpc error: code = DeadlineExceeded");
    assertThat(e.getSeverityId()).isEqualTo(4);
  }

  @Test
  void aContainerWhoseSandboxIsNotInTheChunkKeepsOnlyTheSandboxId() throws Exception {
    EvidenceEvent e = one("CreateContainer within sandbox \"" + SB + "\" for &ContainerMetadata{Name:app,Attempt:2,}"
        + " returns container id \"" + CT + "\"");
    assertThat(e.getContainer().getName()).isEqualTo("app");
    assertThat(e.getUnmapped()).containsEntry("pod_sandbox_id", SB).containsEntry("attempt", "2");
    assertThat(e.getKubernetes() == null || e.getKubernetes().getPodName() == null).isTrue();
    assertThat(e.getResources()).singleElement().satisfies(r -> assertThat(r.getUid()).isEqualTo(SB));
  }

  @Test
  void theOlderRemovePodSandboxWordingAndProtobufTextMetadataAreRead() throws Exception {
    assertThat(one("RemovePodSandbox for \"" + SB + "\" returns successfully").getActivityName()).isEqualTo("removed");
    EvidenceEvent run = one("RunPodSandbox for name:\"web-1\" uid:\"u-1\" namespace:\"prod\" returns sandbox id \""
        + SB + "\"");
    assertThat(run.getKubernetes().getPodName()).isEqualTo("web-1");
    assertThat(run.getKubernetes().getNamespace()).isEqualTo("prod");
    assertThat(run.getKubernetes().getPodUid()).isEqualTo("u-1");
  }

  /**
   * containerd 1.7+'s "Pulled image" line names the digest the tag resolved to when the node pulled it (a tag
   * overwritten during a rollout: SupplyChainRolloutScenarioIT); it was a plain line before.
   */
  @Test
  void thePulledImageLineNamesTheDigestTheTagResolvedTo() throws Exception {
    String repo = "173205080756.dkr.ecr.eu-central-1.amazonaws.com/merch/catalog-api";
    String digest = "sha256:" + "e4c2".repeat(16);
    String id = "sha256:" + "f5d3".repeat(16);
    EvidenceEvent e = one("Pulled image \"" + repo + ":v2.3.1\" with image id \"" + id + "\", repo tag \"" + repo
        + ":v2.3.1\", repo digest \"" + repo + "@" + digest + "\", size \"49877114\" in 3.401822s");
    assertThat(e.getActivityName()).isEqualTo("pulled");
    assertThat(e.getContainer().getImageName()).isEqualTo(repo + ":v2.3.1");
    assertThat(e.getContainer().getImageDigest()).isEqualTo(digest);
    assertThat(e.getContainer().getImageUid()).isEqualTo(id);
    assertThat(e.getContainer().getUid()).isNull();
    assertThat(e.getStatus()).isEqualTo("Success");
  }

  /**
   * A syslog line names its host by the short name; the collection's context by the node's full name: the same host,
   * whose full name stays (another host's name replaces the context's, which is kept in unmapped).
   */
  @Test
  void aSyslogLinesShortHostnameKeepsTheContextsFullName() throws Exception {
    String node = "ip-10-94-21-54.eu-central-1.compute.internal";
    String lines = "Nov 25 10:04:15 ip-10-94-21-54 containerd[2871]: time=\"2026-11-25T10:04:15.400000000Z\" level=info"
        + " msg=\"StartContainer for \\\"" + CT + "\\\"\"\n"
        + "Nov 25 10:04:16 ip-10-94-99-1 containerd[2871]: time=\"2026-11-25T10:04:16.400000000Z\" level=info"
        + " msg=\"StartContainer for \\\"" + CT + "\\\"\"\n";
    var chunk = Chunks.single(lines, format(), Framing.LINES, "var/log/messages");
    chunk.getContext().setHost(node);
    CollectingOutput out = new CollectingOutput();
    new ContainerdDaemonLogParser().parse(chunk, out);
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getDevice().getHostname()).isEqualTo(node);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("syslog.hostname", "ip-10-94-21-54");
    assertThat(out.events.get(1).getDevice().getHostname()).isEqualTo("ip-10-94-99-1");
    assertThat(out.events.get(1).getUnmapped()).containsEntry("context.host", node);
  }

  @Test
  void aCutCniResultIsAPlainLine() throws Exception {
    EvidenceEvent e = one("cni result: {\"Interfaces\":{\"eth0\":{\"IPConfigs\":[{\"IP\":\"10.0");
    assertThat(e.getActivityId()).isZero();
    assertThat(e.getSrcEndpoint()).isNull();
  }

  @Test
  void structFieldsOfBothPrintForms() {
    assertThat(ContainerdMessages.fields("&PodSandboxMetadata{Name:a-0,Uid:u,Namespace:ns,Attempt:3,}"))
        .containsEntry("name", "a-0").containsEntry("uid", "u").containsEntry("namespace", "ns")
        .containsEntry("attempt", "3");
    assertThat(ContainerdMessages.fields("container_id:\"c\"  id:\"i\\\"x\" exit_status:2"))
        .containsEntry("containerid", "c").containsEntry("id", "i\"x").containsEntry("exitstatus", "2");
  }

  @Test
  void aLongQuotedFieldWithEscapesDoesNotOverflowTheStack() {
    // 200k characters of escapes and plain runs: the former per-character regex loop overflowed at ~15k
    String value = "a\\\"b".repeat(25_000) + "x".repeat(100_000);
    java.util.Map<String, String> f =
        ContainerdMessages.fields("exec_id:\"" + value + "\" pid:12 unterminated:\"abc\\\"");
    assertThat(f.get("execid")).hasSize(175_000).startsWith("a\"b").endsWith("x");
    assertThat(f).containsEntry("pid", "12").containsEntry("unterminated", "");
  }

  @Test
  void journalctlMarkersAreSkippedNotDeadLetters() throws Exception {
    String text = "-- Logs begin at Fri 2026-11-20 09:00:00 UTC, end at Fri 2026-11-20 11:00:00 UTC. --\n"
        + "Nov 20 10:00:00 ip-10-0-1-10 containerd[941]: " + line("StartContainer for \"" + CT + "\"")
        + "-- Boot 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e --\n";
    DaemonLogReader.Counts c = new ContainerdDaemonLogParser()
        .parseCounting(Chunks.single(text, format(), Framing.LINES, "containerd/containerd-log.txt"),
            new CollectingOutput());
    assertThat(c).isEqualTo(new DaemonLogReader.Counts(1, 0, 2));
  }

  @Test
  void otherLinesNamingAContainerOrSandboxAreFoundByIt() throws Exception {
    String shim = "time=\"2026-11-20T10:00:00Z\" level=info msg=\"shim disconnected\" id=" + CT
        + " namespace=k8s.io\n";
    EvidenceEvent e = parse(shim, Framing.LINES, "containerd.log").events.get(0);
    assertThat(e.getActivityId()).isZero();
    assertThat(e.getContainer().getUid()).isEqualTo(CT);
    assertThat(e.getUnmapped()).containsEntry("containerd.namespace", "k8s.io");
    String cni = "time=\"2026-11-20T10:00:00Z\" level=debug msg=\"begin cni setup\" podsandboxid=" + SB + "\n";
    EvidenceEvent s = parse(cni, Framing.LINES, "containerd.log").events.get(0);
    assertThat(s.getContainer().getUid()).isEqualTo(SB);
    assertThat(s.getUnmapped()).containsEntry("pod_sandbox_id", SB);
  }
}
