package dev.strata.parse.formats.criodaemonlog;

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

/** CRI-O's daemon log: the fixtures (fixtures/crio_daemon_log, see fixtures/README.md), then message kinds. */
class CrioDaemonLogParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new CrioDaemonLogParser();
  }

  private DaemonLogReader.Counts counts(String file) throws Exception {
    String content = Files.readString(fixtureDir(format()).resolve(file), StandardCharsets.UTF_8);
    return new CrioDaemonLogParser()
        .parseCounting(Chunks.single(content, format(), Framing.LINES, "x/" + file), new CollectingOutput());
  }

  @Test
  void otherProgramsAreSkippedAndCounted() throws Exception {
    assertThat(counts("syslog.input")).isEqualTo(new DaemonLogReader.Counts(15, 1, 1));
    assertThat(counts("journald.input")).isEqualTo(new DaemonLogReader.Counts(3, 1, 1));
  }

  static final String CT = "c1c2c3c4c5c6c7c8c9cacbcccdcecfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfc0";

  private EvidenceEvent one(String msg) throws Exception {
    CollectingOutput out = parse("time=\"2026-11-20T10:00:00Z\" level=info msg=\"" + msg + "\"\n", Framing.LINES,
        "crio.log");
    assertThat(out.rejections).isEmpty();
    return out.events.get(0);
  }

  @Test
  void theOlderStartedContainerWordingNamesIdAndDescription() throws Exception {
    EvidenceEvent e = one("Started container " + CT + ": shop/api-0/api");
    assertThat(e.getActivityName()).isEqualTo("started");
    assertThat(e.getContainer().getUid()).isEqualTo(CT);
    assertThat(e.getKubernetes().getNamespace() + "/" + e.getKubernetes().getPodName() + "/"
        + e.getKubernetes().getContainerName()).isEqualTo("shop/api-0/api");
  }

  @Test
  void stopAndRemoveAreEndsOfTheNamedContainer() throws Exception {
    assertThat(one("Stopped container " + CT + ": shop/api-0/api").getActivityName()).isEqualTo("stopped");
    assertThat(one("Removed container " + CT + ": shop/api-0/api").getActivityName()).isEqualTo("removed");
    EvidenceEvent other = one("Stopped container in a sentence of another kind");
    assertThat(other.getActivityId()).isZero();
    assertThat(other.getContainer()).isNull();
  }

  @Test
  void descriptionsAreNamespacePodContainer() {
    assertThat(CrioMessages.description("shop/api-0/POD")).containsExactly("shop", "api-0", "POD");
    assertThat(CrioMessages.description("api-0")).isNull();
    assertThat(CrioMessages.description("/x/y")).isNull();
  }

  /**
   * CRI-O's exec requests as its gRPC interceptor logs them at debug level ({@code "Request: %+v"} of the CRI request,
   * whose generated String() is {@code &ExecSyncRequest{ContainerId:..,Cmd:[..],Timeout:N,}}), and the older
   * releases' {@code "ExecSyncRequest &ExecSyncRequest{..}"}: the container, the command, the timeout or tty / stdin.
   */
  @Test
  void execRequestsAtDebugLevelNameTheContainerAndTheCommand() throws Exception {
    CollectingOutput out = parse(String.join("\n",
        "time=\"2026-11-24 10:08:40.100000000Z\" level=debug msg=\"Request: &ExecRequest{ContainerId:" + CT
            + ",Cmd:[bash -il],Tty:true,Stdin:true,Stdout:true,Stderr:false,}\" file=\"interceptors/interceptors.go:64\""
            + " id=6b1d2c3e-0000-4000-8000-00000000e1e1 name=/runtime.v1.RuntimeService/Exec",
        "time=\"2026-11-24 10:08:41.000000000Z\" level=debug msg=\"Request: &ExecSyncRequest{ContainerId:" + CT
            + ",Cmd:[sh -c cat /etc/hostname],Timeout:0,}\" id=6b1d2c3e-0000-4000-8000-00000000e1e2"
            + " name=/runtime.v1.RuntimeService/ExecSync",
        "time=\"2026-11-24 10:08:42.000000000Z\" level=debug msg=\"Request: &ExecSyncRequest{ContainerId:" + CT
            + ",Cmd:[/bin/grpc_health_probe -addr=:8080],Timeout:1,}\" name=/runtime.v1.RuntimeService/ExecSync",
        "time=\"2018-03-06 16:14:09.943134521Z\" level=debug msg=\"ExecSyncRequest &ExecSyncRequest{ContainerId:" + CT
            + ",Cmd:[echo hello0 stdout],Timeout:0,}\"",
        "time=\"2026-11-24 10:08:43.000000000Z\" level=debug msg=\"Response: &ExecResponse{Url:http://127.0.0.1:37"
            + "115/exec/AbCd,}\" name=/runtime.v1.RuntimeService/Exec") + "\n", Framing.LINES, "crio.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(5);
    EvidenceEvent exec = out.events.get(0);
    assertThat(exec.getActivityName()).isEqualTo("exec_requested");
    assertThat(exec.getContainer().getUid()).isEqualTo(CT);
    assertThat(exec.getContainer().getRuntime()).isEqualTo("cri-o");
    assertThat(exec.getUnmapped()).containsEntry("command", "[bash -il]").containsEntry("tty", "true")
        .containsEntry("stdin", "true").containsEntry("request_id", "6b1d2c3e-0000-4000-8000-00000000e1e1");
    EvidenceEvent run = out.events.get(1);
    assertThat(run.getActivityName()).isEqualTo("exec_sync_requested");
    assertThat(run.getUnmapped()).containsEntry("command", "[sh -c cat /etc/hostname]")
        .containsEntry("timeout_seconds", "0");
    assertThat(out.events.get(2).getUnmapped()).containsEntry("timeout_seconds", "1");
    assertThat(out.events.get(3).getActivityName()).as("CRI-O before 1.19").isEqualTo("exec_sync_requested");
    assertThat(out.events.get(3).getUnmapped()).containsEntry("command", "[echo hello0 stdout]");
    assertThat(out.events.get(4).getActivityId()).as("the answer: a log line").isZero();
  }
}
