package dev.strata.ingest.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Compression;
import dev.strata.schema.raw.ArtifactManifest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector's handling of journal files it cannot read as found: gzip-compressed copies, a damaged header. */
class JournalCollectionTest {
  @TempDir Path tmp;

  @Test
  void aGzipCompressedCopyIsReadFromItsContent() throws Exception {
    Path root = tmp.resolve("evidence");
    Path gz = root.resolve("copies/node-1/system.journal.gz");
    Files.createDirectories(gz.getParent());
    try (InputStream in = getClass().getResourceAsStream("/journal/node-regular-zstd.journal.gz")) {
      Files.copy(in, gz);
    }
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    ArtifactManifest original = out.manifests().stream()
        .filter(m -> m.getOrigin().equals("copies/node-1/system.journal.gz")).findFirst().orElseThrow();
    assertThat(original.getSourceType()).isEqualTo("systemd_journal");
    assertThat(original.getCompression()).isEqualTo(Compression.GZIP);
    assertThat(original.getChunkCount()).isZero();
    assertThat(report.journals()).singleElement().satisfies(j -> {
      assertThat(j.entries()).isEqualTo(24);
      assertThat(j.stop()).isEqualTo("complete");
      assertThat(j.compact()).isFalse();
    });
    // the derived artifacts name the compressed file they came from (since the kubelet's log is read: its entries too)
    assertThat(out.manifests()).filteredOn(m -> m.getDerivedFrom() != null).hasSize(6)
        .allSatisfy(m -> assertThat(m.getDerivedFrom().getArtifactSha256()).isEqualTo(original.getArtifactSha256()));
  }

  @Test
  void aJournalWhoseHeaderCannotBeReadIsStillPreservedAndReported() throws Exception {
    Path root = tmp.resolve("evidence");
    Path f = root.resolve("var/log/journal/0f3c/system.journal~");
    Files.createDirectories(f.getParent());
    byte[] b = Arrays.copyOf("LPKSHHRH".getBytes(StandardCharsets.US_ASCII), 4096);
    b[12] = (byte) 0x80; // an incompatible flag no systemd defines
    Files.write(f, b);
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    assertThat(out.manifests()).singleElement().satisfies(m -> {
      assertThat(m.getSourceType()).isEqualTo("systemd_journal");
      assertThat(m.getOrigin()).isEqualTo("var/log/journal/0f3c/system.journal~");
    });
    assertThat(out.chunks()).isEmpty();
    assertThat(report.journals()).isEmpty();
    assertThat(report.warnings()).singleElement().satisfies(w -> {
      assertThat(w.code()).isEqualTo("journal_unreadable");
      assertThat(w.message()).contains("unknown incompatible flags 0x80");
    });
  }
}
