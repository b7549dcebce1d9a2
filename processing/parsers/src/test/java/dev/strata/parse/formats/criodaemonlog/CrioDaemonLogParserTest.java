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
}
