package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.parse.ChunkParseResult;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's binary systemd journal in an evidence root, through the real collector (journal preserved as itself,
 * entries split by program into derived journalctl -o json artifacts) and the real parsers: dockerd, containerd,
 * CRI-O, Podman and Falco events whose lineage leads back to the journal file and the entry. The journal was written
 * by systemd-journal-remote 252 (ingest/src/test/resources/journal/make-fixtures.py).
 */
class JournalFileCollectionTest {
  static final String MACHINE = "0f3c4a5b6c7d8e9fa0b1c2d3e4f5a6b7";
  static final String JOURNAL = "var/log/journal/" + MACHINE + "/system.journal";
  static final String DIRTY = "run/log/journal/" + MACHINE + "/system@0001-0002.journal~";

  @TempDir Path tmp;

  static byte[] fixture(String name) throws Exception {
    Path gz = ScenarioRun.home().resolve("ingest/src/test/resources/journal/" + name + ".journal.gz");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  record Run(CollectionReport report, InMemoryChunkPublisher out, Map<String, List<EvidenceEvent>> events,
      long deadLetters) {}

  Run collect(Path root) {
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    Map<String, List<EvidenceEvent>> events = new TreeMap<>();
    long dead = 0;
    for (RawArtifactChunk c : out.chunks()) {
      ChunkParseResult r = parser.parse(c);
      for (EvidenceEvent e : r.events()) {
        events.computeIfAbsent(e.getLineage().getOrigin(), k -> new ArrayList<>()).add(e);
      }
      dead += r.deadLetters().size();
    }
    return new Run(report, out, events, dead);
  }

  @Test
  void journalEntriesReachTheirParsersWithLineageToTheJournal() throws Exception {
    Path root = tmp.resolve("evidence");
    byte[] journal = fixture("node-compact-zstd");
    Files.createDirectories(root.resolve(JOURNAL).getParent());
    Files.write(root.resolve(JOURNAL), journal);
    // a copy of another file cut while journald was writing it (only its first 10 entries are whole)
    byte[] plain = fixture("node-regular-plain");
    Files.createDirectories(root.resolve(DIRTY).getParent());
    int cut = 0;
    try (var jf = dev.strata.ingest.journal.JournalFile.open(write(tmp.resolve("plain.journal"), plain))) {
      List<Long> offsets = new ArrayList<>();
      jf.read(e -> offsets.add(e.offset()));
      cut = (int) (offsets.get(10) + 40);
    }
    Files.write(root.resolve(DIRTY), java.util.Arrays.copyOf(plain, cut));

    Run run = collect(root);
    String journalSha = sha256(journal);

    // the journal file itself: preserved, hashed, its manifest published, no chunks (no parser reads the binary)
    ArtifactManifest original = run.out().manifests().stream().filter(m -> m.getOrigin().equals(JOURNAL)).findFirst()
        .orElseThrow();
    assertThat(original.getSourceType()).isEqualTo("systemd_journal");
    assertThat(original.getArtifactSha256()).isEqualTo(journalSha);
    assertThat(original.getChunkCount()).isZero();
    assertThat(original.getDerivedFrom()).isNull();
    assertThat(run.out().chunksOfOrigin(JOURNAL)).isEmpty();

    // one derived artifact per format, each naming the journal it came from
    Map<String, String> derived = new TreeMap<>();
    for (ArtifactManifest m : run.out().manifests()) {
      if (m.getOrigin().startsWith(JOURNAL + "#")) {
        assertThat(m.getDerivedFrom().getArtifactSha256()).isEqualTo(journalSha);
        assertThat(m.getDerivedFrom().getOrigin()).isEqualTo(JOURNAL);
        assertThat(m.getDerivedFrom().getSourceType()).isEqualTo("systemd_journal");
        assertThat(m.getDerivedFrom().getMethod()).isEqualTo("systemd_journal_entries");
        derived.put(m.getSourceType(), m.getArtifactSha256());
      }
    }
    assertThat(derived).containsOnlyKeys("containerd_daemon_log", "crio_daemon_log", "docker_daemon_log",
        "falco_alert", "kubelet_log", "podman_events");

    CollectionReport.Journal j = run.report().journals().stream().filter(x -> x.origin().equals(JOURNAL))
        .findFirst().orElseThrow();
    assertThat(j.entries()).isEqualTo(24);
    assertThat(j.stop()).isEqualTo("complete");
    assertThat(j.compact()).isTrue();
    assertThat(j.derived()).containsExactlyInAnyOrderEntriesOf(Map.of("docker_daemon_log", 6L,
        "containerd_daemon_log", 3L, "crio_daemon_log", 1L, "podman_events", 2L, "falco_alert", 2L, "kubelet_log", 7L));
    assertThat(j.skippedPrograms()).containsExactlyInAnyOrderEntriesOf(Map.of("sshd", 1L, "kernel", 1L,
        "systemd", 1L));
    assertThat(run.report().summary(false)).contains("journal " + JOURNAL + ": 24 entries (complete, offline,"
        + " compact) containerd_daemon_log=3 crio_daemon_log=1 docker_daemon_log=6 falco_alert=2 kubelet_log=7"
        + " podman_events=2; skipped kernel=1 sshd=1 systemd=1");

    // the dirty copy: what was intact is read, the rest reported
    CollectionReport.Journal d = run.report().journals().stream().filter(x -> x.origin().equals(DIRTY))
        .findFirst().orElseThrow();
    assertThat(d.entries()).isEqualTo(10);
    assertThat(d.stop()).isEqualTo("truncated");
    assertThat(run.report().warnings()).anySatisfy(w -> {
      assertThat(w.code()).isEqualTo("journal_truncated");
      assertThat(w.path()).isEqualTo(DIRTY);
      assertThat(w.message()).startsWith("10 entries read, then: entry at offset ");
    });

    assertThat(run.deadLetters()).isZero();
    // dockerd: the create request of the privileged container, as an API call, pointing at its journal entry
    List<EvidenceEvent> docker = run.events().get(JOURNAL + "#docker_daemon_log");
    assertThat(docker).hasSize(6).allSatisfy(e -> {
      assertThat(e.getLineage().getArtifactSha256()).isEqualTo(derived.get("docker_daemon_log"));
      assertThat(e.getUnmapped().get("journal.__STRATA_JOURNAL_OFFSET")).matches("[1-9][0-9]*");
      assertThat(e.getDevice().getHostname()).isEqualTo("ip-10-0-1-23.ec2.internal");
    });
    assertThat(docker).anySatisfy(e -> {
      assertThat(e.getClassUid()).isEqualTo(6003);
      assertThat(e.getHttpRequest().getUrl()).isEqualTo("/v1.45/containers/create?name=escape");
    });
    assertThat(docker).anySatisfy(e -> assertThat(e.getUnmapped().get("strata.risk")).contains("privileged"));
    // containerd: the pod sandbox and the task exit
    List<EvidenceEvent> containerd = run.events().get(JOURNAL + "#containerd_daemon_log");
    assertThat(containerd).extracting(EvidenceEvent::getActivityName).contains("created", "exited");
    // CRI-O
    assertThat(run.events().get(JOURNAL + "#crio_daemon_log")).singleElement()
        .satisfies(e -> assertThat(e.getActivityName()).isEqualTo("created"));
    // Podman's journald events
    List<EvidenceEvent> podman = run.events().get(JOURNAL + "#podman_events");
    assertThat(podman).extracting(EvidenceEvent::getActivityName).containsExactly("start", "died");
    assertThat(podman).allSatisfy(e -> {
      assertThat(e.getContainer().getName()).isEqualTo("miner");
      assertThat(e.getUnmapped().get("journald.__strata_journal_offset")).matches("[1-9][0-9]*");
    });
    // Falco: a text alert and a JSON alert, both detection findings at their entries' dates
    List<EvidenceEvent> falco = run.events().get(JOURNAL + "#falco_alert");
    assertThat(falco).hasSize(2).allSatisfy(e -> {
      assertThat(e.getClassUid()).isEqualTo(2004);
      assertThat(e.getTime().toString()).startsWith("2024-05-01T10:00:1");
      assertThat(e.getUnmapped().get("strata.carrier.journal_offset")).matches("[1-9][0-9]*");
    });

    // every event's offset names an ENTRY object of the journal whose fields it carries
    try (var jf = dev.strata.ingest.journal.JournalFile.open(root.resolve(JOURNAL))) {
      Map<Long, String> messages = new TreeMap<>();
      jf.read(e -> messages.put(e.offset(), e.text("MESSAGE")));
      for (EvidenceEvent e : docker) {
        long at = Long.parseLong(e.getUnmapped().get("journal.__STRATA_JOURNAL_OFFSET"));
        assertThat(messages).containsKey(at);
        assertThat(e.getRawData()).contains("\"__STRATA_JOURNAL_OFFSET\":\"" + at + "\"");
      }
    }

    // collecting again gives the same artifacts and event ids
    Run again = collect(root);
    assertThat(again.out().artifactIds()).isEqualTo(run.out().artifactIds());
    assertThat(ids(again)).isEqualTo(ids(run));
  }

  static Path write(Path p, byte[] b) throws Exception {
    Files.write(p, b);
    return p;
  }

  static List<String> ids(Run r) {
    return r.events().values().stream().flatMap(List::stream).map(EvidenceEvent::getEventId).sorted().toList();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
