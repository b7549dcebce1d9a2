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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tar czf bundle.tar.gz demo-bundle}: the archive, collected as a file (what {@code strata parse|collect|demo
 * bundle.tar.gz} do) through the real collector and parsers, yields the same events as the directory: same count per
 * source type and the same event ids (an event id hashes the artifact's SHA-256, and a member's artifact is its exact
 * bytes), with the member's origin inside the archive and the same context (the bundle's strata-context.yaml).
 */
class ArchiveEvidenceTest {
  @TempDir Path tmp;

  record Parsed(CollectionReport report, List<ArtifactManifest> manifests, Map<String, Long> perSource,
      Map<String, EvidenceEvent> byId, long deadLetters) {}

  static Parsed parse(Path evidence) {
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = Files.isDirectory(evidence)
        ? FileCollector.collect(evidence, CollectorOptions.defaults(), out, null, null)
        : FileCollector.collectFile(evidence, CollectorOptions.defaults(), out, null, null);
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    Map<String, Long> perSource = new TreeMap<>();
    Map<String, EvidenceEvent> byId = new TreeMap<>();
    long dead = 0;
    for (RawArtifactChunk c : out.chunks()) {
      ChunkParseResult r = parser.parse(c);
      for (EvidenceEvent e : r.events()) {
        perSource.merge(e.getLineage().getSourceType(), 1L, Long::sum);
        byId.put(e.getEventId(), e);
      }
      dead += r.deadLetters().size();
    }
    return new Parsed(report, out.manifests(), perSource, byId, dead);
  }

  static void tarGz(Path dir, Path archive) throws Exception {
    try (OutputStream o = Files.newOutputStream(archive);
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(o);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz);
        Stream<Path> files = Files.walk(dir)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Path p : files.sorted().toList()) {
        String name = dir.getParent().relativize(p).toString().replace('\\', '/');
        TarArchiveEntry e = new TarArchiveEntry(p.toFile(), Files.isDirectory(p) ? name + "/" : name);
        tar.putArchiveEntry(e);
        if (Files.isRegularFile(p)) {
          Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
      }
    }
  }

  @Test
  void aTarGzOfTheDemoBundleParsesToTheSameEventsAsTheDirectory() throws Exception {
    Path bundle = ScenarioRun.home().resolve("examples/demo-bundle");
    Path archive = tmp.resolve("bundle.tar.gz");
    tarGz(bundle, archive);

    Parsed dir = parse(bundle);
    Parsed tgz = parse(archive);

    assertThat(dir.byId()).isNotEmpty();
    assertThat(tgz.perSource()).isEqualTo(dir.perSource());
    assertThat(tgz.byId().keySet()).isEqualTo(dir.byId().keySet());
    assertThat(tgz.deadLetters()).isEqualTo(dir.deadLetters());
    String archiveOrigin = archive.toRealPath().getRoot().relativize(archive.toRealPath()).toString();
    for (Map.Entry<String, EvidenceEvent> e : tgz.byId().entrySet()) {
      EvidenceEvent plain = dir.byId().get(e.getKey());
      assertThat(e.getValue().getLineage().getOrigin())
          .isEqualTo(archiveOrigin + "!/demo-bundle/" + plain.getLineage().getOrigin());
      assertThat(e.getValue().getLineage().getArtifactSha256()).isEqualTo(plain.getLineage().getArtifactSha256());
    }
    // every member artifact points back to the archive, which is preserved as itself
    ArtifactManifest self = tgz.manifests().stream().filter(m -> m.getOrigin().equals(archiveOrigin)).findFirst()
        .orElseThrow();
    assertThat(self.getSourceType()).isEqualTo("evidence_archive");
    assertThat(tgz.manifests()).filteredOn(m -> m != self).allSatisfy(m -> {
      assertThat(m.getDerivedFrom().getArtifactSha256()).isEqualTo(self.getArtifactSha256());
      assertThat(m.getOrigin()).startsWith(archiveOrigin + "!/demo-bundle/");
    });
    assertThat(new TreeSet<>(tgz.manifests().stream().filter(m -> m != self).map(m -> m.getContext().toString())
        .toList())).isEqualTo(new TreeSet<>(dir.manifests().stream().map(m -> m.getContext().toString()).toList()));
    CollectionReport.Archive a = tgz.report().archives().get(0);
    assertThat(a.stop()).isEqualTo("complete");
    assertThat(a.collected()).isEqualTo(dir.report().artifactCount());
  }
}
