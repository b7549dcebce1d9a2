package dev.strata.parse.formats.kubeletlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.ChunkParser;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The kubelet's log: the fixtures (fixtures/kubelet_log, see fixtures/README.md), then the year and message forms. */
class KubeletLogParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new KubeletLogParser();
  }

  private DaemonLogReader.Counts counts(String file) throws Exception {
    String content = Files.readString(fixtureDir(format()).resolve(file), StandardCharsets.UTF_8);
    return new KubeletLogParser()
        .parseCounting(Chunks.single(content, format(), Framing.LINES, "x/" + file), new CollectingOutput());
  }

  @Test
  void otherProgramsAndKlogsFileHeaderAreSkippedAndCounted() throws Exception {
    assertThat(counts("journald.input")).isEqualTo(new DaemonLogReader.Counts(9, 0, 1));
    assertThat(counts("plain.input")).isEqualTo(new DaemonLogReader.Counts(7, 0, 4));
  }

  @Test
  void aBareLinesYearComesFromTheFilesMtimeAndItsDateNeverAfterIt() {
    String line = "I1231 23:59:59.000000    2210 kubelet.go:2425] \"SyncLoop ADD\" source=\"api\" pods=[\"a/b\"]\n";
    RawArtifactChunk c = Chunks.single(line, "kubelet_log", Framing.LINES, "node/var/log/kubelet.log");
    c.setOriginMtime(Instant.parse("2027-01-01T00:10:00Z"));
    EvidenceEvent e = new ChunkParser(ParserRegistry.defaults()).parse(c).events().get(0);
    assertThat(e.getTime()).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
    assertThat(e.getUnmapped().get("strata.warning")).contains("year from the file's mtime");
    c.setOriginMtime(Instant.parse("2026-12-31T23:59:59.5Z"));
    assertThat(new ChunkParser(ParserRegistry.defaults()).parse(c).events().get(0).getTime())
        .isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
  }

  @Test
  void aJournalEntrysTimeIsTheLinesAndTheKlogTimeIsKept() throws Exception {
    CollectingOutput out = parse("{\"__REALTIME_TIMESTAMP\":\"1795168800000000\",\"_SYSTEMD_UNIT\":\"kubelet.service\","
        + "\"MESSAGE\":\"I1120 10:00:00.000100    2210 kubelet.go:2457] \\\"SyncLoop (PLEG): event for pod\\\" "
        + "pod=\\\"a/b\\\" event={\\\"ID\\\":\\\"u-1\\\",\\\"Type\\\":\\\"ContainerDied\\\",\\\"Data\\\":\\\""
        + "0123456789ab0123456789ab\\\"}\"}\n", Framing.LINES, "kubelet.json");
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getTime()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(e.getUnmapped()).containsEntry("kubelet.klog_time", "1120 10:00:00.000100");
    assertThat(e.getActivityName()).isEqualTo("exited");
    assertThat(e.getContainer().getUid()).isEqualTo("0123456789ab0123456789ab");
    assertThat(e.getKubernetes().getPodUid()).isEqualTo("u-1");
  }

  /** A syslog line's short host name is the collection's host, whose full name is the pod's node. */
  @Test
  void aSyslogLinesShortHostnameKeepsTheContextsFullNameAsTheNode() {
    String node = "ip-10-94-21-54.eu-central-1.compute.internal";
    String line = "Nov 25 10:04:14 ip-10-94-21-54 kubelet: I1125 10:04:14.500000    3121 kubelet.go:2430]"
        + " \"SyncLoop ADD\" source=\"api\" pods=[\"merch/api-1\"]\n";
    RawArtifactChunk c = Chunks.single(line, "kubelet_log", Framing.LINES, "var/log/messages#kubelet_log");
    c.getContext().setHost(node);
    EvidenceEvent e = new ChunkParser(ParserRegistry.defaults()).parse(c).events().get(0);
    assertThat(e.getDevice().getHostname()).isEqualTo(node);
    assertThat(e.getKubernetes().getNodeName()).isEqualTo(node);
  }

  @Test
  void podReferencesInBothForms() {
    assertThat(KubeletMessages.podRef("shop/api-0")).containsExactly("shop", "api-0", null);
    assertThat(KubeletMessages.podRef("api-0")).isNull();
    assertThat(KubeletMessages.oldPod("api-0_shop(9f9f9f9f-0000-4000-8000-000000000001)"))
        .containsExactly("shop", "api-0", "9f9f9f9f-0000-4000-8000-000000000001");
    assertThat(KubeletMessages.id("containerd://0123456789abcdef")).isEqualTo("0123456789abcdef");
    assertThat(KubeletMessages.id("cri-o://xyz")).isNull();
  }
}
