package dev.strata.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Amazon Linux 2 node's {@code /var/log/messages} (rsyslog writes every unit's journal lines there): the file is
 * the format most of its lines are (here containerd's), and the kubelet's lines are split out into a derived
 * {@code kubelet_log} artifact that names the file it came from.
 */
class SyslogSplitTest {
  @TempDir Path tmp;

  static final String MESSAGES = String.join("\n",
      "Nov 24 09:00:01 ip-10-94-21-54 systemd: Started Session 12 of user root.",
      "Nov 24 09:00:02 ip-10-94-21-54 containerd: time=\"2026-11-24T09:00:02.100000000Z\" level=info"
          + " msg=\"RunPodSandbox for &PodSandboxMetadata{Name:api-1,Uid:1f2e,Namespace:merch,Attempt:0,}\"",
      "Nov 24 09:00:02 ip-10-94-21-54 kubelet: I1124 09:00:02.200000    3121 kubelet.go:2430] \"SyncLoop ADD\""
          + " source=\"api\" pods=[\"merch/api-1\"]",
      "Nov 24 09:00:03 ip-10-94-21-54 containerd: time=\"2026-11-24T09:00:03.100000000Z\" level=info"
          + " msg=\"CreateContainer within sandbox \\\"5a5b\\\" for container &ContainerMetadata{Name:api,Attempt:0,}\"",
      "Nov 24 09:00:04 ip-10-94-21-54 containerd: time=\"2026-11-24T09:00:04.100000000Z\" level=info"
          + " msg=\"StartContainer for \\\"c0ffee\\\" returns successfully\"",
      "Nov 24 09:00:04 ip-10-94-21-54 kubelet[3121]: I1124 09:00:04.300000    3121 kubelet.go:2462] \"SyncLoop"
          + " (PLEG): event for pod\" pod=\"merch/api-1\" event={\"ID\":\"1f2e\",\"Type\":\"ContainerStarted\","
          + "\"Data\":\"c0ffee\"}",
      "Nov 24 09:00:05 ip-10-94-21-54 dhclient[2011]: XMT: Solicit on eth0, interval 117510ms.",
      "");

  @Test
  void theKubeletsLinesOfANodesMessagesAreADerivedKubeletLog() throws Exception {
    Path root = tmp.resolve("node-1");
    Path messages = root.resolve("var/log/messages");
    Files.createDirectories(messages.getParent());
    Files.writeString(messages, MESSAGES);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    ArtifactManifest original = out.manifests().stream().filter(m -> m.getOrigin().equals("var/log/messages"))
        .findFirst().orElseThrow();
    assertThat(original.getSourceType()).isEqualTo("containerd_daemon_log");
    ArtifactManifest kubelet = out.manifests().stream()
        .filter(m -> m.getOrigin().equals("var/log/messages#kubelet_log")).findFirst().orElseThrow();
    assertThat(kubelet.getSourceType()).isEqualTo("kubelet_log");
    assertThat(kubelet.getDerivedFrom().getArtifactSha256()).isEqualTo(original.getArtifactSha256());
    assertThat(kubelet.getDerivedFrom().getMethod()).isEqualTo(SyslogSplit.METHOD);
    List<RawArtifactChunk> chunks = out.chunksOfOrigin("var/log/messages#kubelet_log");
    String text = StandardCharsets.UTF_8.decode(chunks.get(0).getPayload().duplicate()).toString();
    assertThat(text.split("\n")).hasSize(2).allMatch(l -> l.contains(" kubelet"));
    // no derived artifact of the recognized format itself, none of programs no parser reads
    assertThat(out.manifests()).filteredOn(m -> m.getDerivedFrom() != null).hasSize(1);
  }

  @Test
  void aContinuationLineGoesWithItsLineAndABareDaemonLogIsNotSplit() throws Exception {
    String syslog = "Nov 24 09:00:02 node kubelet: E1124 09:00:02.2 1 pod_workers.go:1] \"Error syncing pod\"\n"
        + "\tgoroutine 1 [running]:\n"
        + "Nov 24 09:00:03 node containerd: time=\"2026-11-24T09:00:03Z\" level=info msg=\"x\"\n";
    try (SyslogSplit s = SyslogSplit.split(new ByteArrayInputStream(syslog.getBytes(StandardCharsets.UTF_8)),
        "containerd_daemon_log", tmp)) {
      assertThat(s.lines()).containsEntry("kubelet_log", 2L).hasSize(1);
      assertThat(Files.readString(s.files().get("kubelet_log"))).contains("goroutine 1");
    }
    StringBuilder bare = new StringBuilder();
    for (int i = 0; i < 100; i++) bare.append("time=\"2026-11-24T09:00:03Z\" level=info msg=\"x\"\n");
    bare.append("Nov 24 09:00:02 node kubelet: I1124 09:00:02.2 1 x.go:1] \"late\"\n");
    try (SyslogSplit s = SyslogSplit.split(new ByteArrayInputStream(bare.toString().getBytes(StandardCharsets.UTF_8)),
        "containerd_daemon_log", tmp)) {
      assertThat(s.files()).isEmpty();
    }
  }
}
