package dev.strata.ingest.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.TestFiles;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.raw.ArtifactManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evidence archives through the real collector into an in-memory publisher. */
class ArchiveCollectionTest {
  static final String DOCKER = "var/lib/docker/containers/" + TestFiles.ID_A + "/" + TestFiles.ID_A + "-json.log";
  static final String AUDIT = "var/log/kubernetes/audit/audit.log";
  static final String CONTEXT = "- path: var/\n  host: node-7\n  cluster: prod\n";

  @TempDir Path tmp;

  /** Member name to content (null content: a directory); kept in order. */
  static Map<String, byte[]> bundle() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    StringBuilder docker = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      docker.append(TestFiles.dockerLine(i));
    }
    m.put("bundle/", null);
    m.put("bundle/strata-context.yaml", CONTEXT.getBytes(StandardCharsets.UTF_8));
    m.put("bundle/" + DOCKER, docker.toString().getBytes(StandardCharsets.UTF_8)); // > 100 chars: a PAX long name
    m.put("bundle/" + AUDIT, (TestFiles.auditLine(1) + TestFiles.auditLine(2)).getBytes(StandardCharsets.UTF_8));
    m.put("bundle/notes.txt", "not evidence of a known format\n".getBytes(StandardCharsets.UTF_8));
    return m;
  }

  static byte[] tar(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> e : members.entrySet()) {
        TarArchiveEntry te = new TarArchiveEntry(e.getKey());
        te.setModTime(1_700_000_000_000L);
        if (e.getValue() != null) {
          te.setSize(e.getValue().length);
        }
        t.putArchiveEntry(te);
        if (e.getValue() != null) {
          t.write(e.getValue());
        }
        t.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  interface Compressor {
    OutputStream wrap(OutputStream o) throws IOException;
  }

  static byte[] compress(byte[] b, Compressor c) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream o = c.wrap(out)) {
      o.write(b);
    }
    return out.toByteArray();
  }

  static byte[] zip(Map<String, byte[]> members, boolean stored) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : members.entrySet()) {
        ZipArchiveEntry ze = new ZipArchiveEntry(e.getKey());
        if (stored && e.getValue() != null) {
          ze.setMethod(ZipArchiveEntry.STORED);
          ze.setSize(e.getValue().length);
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          ze.setCrc(crc.getValue());
        }
        z.putArchiveEntry(ze);
        if (e.getValue() != null) {
          z.write(e.getValue());
        }
        z.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }

  record Run(CollectionReport report, InMemoryChunkPublisher out) {
    ArtifactManifest manifest(String origin) {
      return out.manifests().stream().filter(m -> m.getOrigin().equals(origin)).findFirst().orElseThrow(
          () -> new AssertionError(origin + " not in " + out.manifests().stream().map(ArtifactManifest::getOrigin)
              .toList()));
    }

    Map<String, Long> skips() {
      return report.skipped().stream().collect(Collectors.groupingBy(s -> s.path() + " " + s.reason(), TreeMap::new,
          Collectors.counting()));
    }
  }

  Run collect(Path root, CollectorOptions options) {
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = Files.isDirectory(root)
        ? FileCollector.collect(root, options, out, null, null)
        : FileCollector.collectFile(root, options, out, null, null);
    return new Run(report, out);
  }

  static CollectorOptions options() {
    return CollectorOptions.builder().runId("run-1").operator("tester").collectorHostname("lab").build();
  }

  @Test
  void aTarGzIsPreservedAsItselfAndItsMembersAreCollectedLikeADirectory() throws Exception {
    byte[] tgz = compress(tar(bundle()), o -> new GzipCompressorOutputStream(o));
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, "cases/bundle.tar.gz", tgz);

    Run run = collect(root, options());
    String archiveSha = TestFiles.sha256(tgz);
    ArtifactManifest archive = run.manifest("cases/bundle.tar.gz");
    assertThat(archive.getSourceType()).isEqualTo("evidence_archive");
    assertThat(archive.getArtifactSha256()).isEqualTo(archiveSha);
    assertThat(archive.getChunkCount()).isZero();
    assertThat(run.out().chunksOfOrigin("cases/bundle.tar.gz")).isEmpty();

    String dockerOrigin = "cases/bundle.tar.gz!/bundle/" + DOCKER;
    ArtifactManifest docker = run.manifest(dockerOrigin);
    assertThat(docker.getSourceType()).isEqualTo("docker_json_log");
    assertThat(docker.getArtifactSha256()).isEqualTo(TestFiles.sha256(bundle().get("bundle/" + DOCKER)));
    assertThat(docker.getDerivedFrom().getArtifactSha256()).isEqualTo(archiveSha);
    assertThat(docker.getDerivedFrom().getOrigin()).isEqualTo("cases/bundle.tar.gz");
    assertThat(docker.getDerivedFrom().getSourceType()).isEqualTo("evidence_archive");
    assertThat(docker.getDerivedFrom().getMethod()).isEqualTo("archive_member");
    // the context manifest inside the archive applies to its members; the container id comes from the member path
    assertThat(docker.getContext().getHost()).isEqualTo("node-7");
    assertThat(docker.getContext().getCluster()).isEqualTo("prod");
    assertThat(docker.getOriginMtime().toEpochMilli()).isEqualTo(1_700_000_000_000L);
    assertThat(InMemoryChunkPublisher.concat(run.out().chunksOfOrigin(dockerOrigin)))
        .isEqualTo(bundle().get("bundle/" + DOCKER));
    assertThat(run.manifest("cases/bundle.tar.gz!/bundle/" + AUDIT).getSourceType()).isEqualTo("k8s_audit");
    assertThat(run.report().contextManifests()).containsExactly("cases/bundle.tar.gz!/bundle/strata-context.yaml");

    CollectionReport.Archive a = run.report().archives().get(0);
    assertThat(a.origin()).isEqualTo("cases/bundle.tar.gz");
    assertThat(a.format()).isEqualTo("tar+gzip");
    assertThat(a.members()).isEqualTo(4);
    assertThat(a.expanded()).isEqualTo(4);
    assertThat(a.collected()).isEqualTo(2);
    assertThat(a.skipped()).containsExactlyEntriesOf(Map.of("not_recognized", 1L));
    assertThat(a.stop()).isEqualTo("complete");
    assertThat(run.report().summary(false)).contains("archive cases/bundle.tar.gz (tar+gzip): 4 members, 4 expanded,"
        + " 2 artifacts collected; skipped not_recognized=1");
    // members are files seen: the archive, 4 members
    assertThat(run.report().filesSeen()).isEqualTo(5);

    // the same members as the unpacked directory: same artifacts, same chunks
    Path dir = tmp.resolve("unpacked");
    bundle().forEach((name, content) -> {
      if (content != null) {
        TestFiles.write(dir, name, content);
      }
    });
    Run plain = collect(dir, options());
    Set<String> memberIds = new TreeSet<>(run.out().artifactIds());
    memberIds.remove(archiveSha);
    assertThat(memberIds).isEqualTo(plain.out().artifactIds());
    assertThat(plain.manifest("bundle/" + DOCKER).getContext().getHost()).isEqualTo("node-7");

    // idempotent: collecting the archive again gives the same artifacts and chunks
    Run again = collect(root, options());
    assertThat(again.out().artifactIds()).isEqualTo(run.out().artifactIds());
    assertThat(again.out().chunks().stream().map(c -> c.getChunk().getSha256()).toList())
        .isEqualTo(run.out().chunks().stream().map(c -> c.getChunk().getSha256()).toList());
    // no working copy left behind
    assertThat(Files.exists(root.resolve("cases/bundle.tar.gz"))).isTrue();
  }

  @Test
  void everyTarCompressionAndZipIsRecognizedByItsMagicBytes() throws Exception {
    byte[] tar = tar(bundle());
    Map<String, byte[]> archives = new LinkedHashMap<>();
    archives.put("a.tar", tar);
    archives.put("a.bin", compress(tar, o -> new GzipCompressorOutputStream(o))); // no telling extension
    archives.put("a.tar.xz", compress(tar, o -> new XZCompressorOutputStream(o)));
    archives.put("a.tar.zst", compress(tar, o -> new ZstdCompressorOutputStream(o)));
    archives.put("a.tar.bz2", compress(tar, o -> new BZip2CompressorOutputStream(o)));
    archives.put("a.zip", zip(bundle(), false));
    archives.put("stored.zip", zip(bundle(), true));
    Path root = tmp.resolve("evidence");
    archives.forEach((name, b) -> TestFiles.write(root, name, b));
    // a gzip-compressed log is not an archive
    TestFiles.write(root, "var/log/kubernetes/audit/audit.log.gz",
        TestFiles.gzip(bundle().get("bundle/" + AUDIT)));

    Run run = collect(root, options());
    Map<String, String> formats = new TreeMap<>();
    for (CollectionReport.Archive a : run.report().archives()) {
      formats.put(a.origin(), a.format());
      assertThat(a.collected()).as(a.origin()).isEqualTo(2);
      assertThat(run.manifest(a.origin() + "!/bundle/" + DOCKER).getDerivedFrom().getArtifactSha256())
          .isEqualTo(TestFiles.sha256(archives.get(a.origin())));
    }
    assertThat(formats).containsExactlyInAnyOrderEntriesOf(Map.of("a.tar", "tar", "a.bin", "tar+gzip",
        "a.tar.xz", "tar+xz", "a.tar.zst", "tar+zstd", "a.tar.bz2", "tar+bzip2", "a.zip", "zip", "stored.zip", "zip"));
    assertThat(run.manifest("var/log/kubernetes/audit/audit.log.gz").getSourceType()).isEqualTo("k8s_audit");
  }

  @Test
  void linksTraversalDevicesAndEncryptedMembersAreReportedNeverExpanded() throws Exception {
    ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(tarBytes)) {
      byte[] audit = bundle().get("bundle/" + AUDIT);
      TarArchiveEntry ok = new TarArchiveEntry(AUDIT);
      ok.setSize(audit.length);
      t.putArchiveEntry(ok);
      t.write(audit);
      t.closeArchiveEntry();
      TarArchiveEntry sym = new TarArchiveEntry("var/log/passwd.log", TarArchiveEntry.LF_SYMLINK);
      sym.setLinkName("/etc/passwd");
      t.putArchiveEntry(sym);
      t.closeArchiveEntry();
      TarArchiveEntry hard = new TarArchiveEntry("var/log/hard.log", TarArchiveEntry.LF_LINK);
      hard.setLinkName("../../etc/shadow");
      t.putArchiveEntry(hard);
      t.closeArchiveEntry();
      TarArchiveEntry dev = new TarArchiveEntry("dev/sda", TarArchiveEntry.LF_BLK);
      t.putArchiveEntry(dev);
      t.closeArchiveEntry();
      for (String evil : List.of("../../escape.log", "/etc/cron.d/evil", "a/../../b.log")) {
        TarArchiveEntry e = new TarArchiveEntry(evil, true); // preserve the name as written
        e.setSize(4);
        t.putArchiveEntry(e);
        t.write("evil".getBytes(StandardCharsets.UTF_8));
        t.closeArchiveEntry();
      }
    }
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, "t.tar", tarBytes.toByteArray());
    ByteArrayOutputStream zipBytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(zipBytes)) {
      ZipArchiveEntry enc = new ZipArchiveEntry(AUDIT); // marked encrypted below (the writer refuses to)
      z.putArchiveEntry(enc);
      z.write("ciphertext".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
      ZipArchiveEntry link = new ZipArchiveEntry("var/log/link.log");
      link.setUnixMode(0120777);
      z.putArchiveEntry(link);
      z.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
      ZipArchiveEntry back = new ZipArchiveEntry("..\\..\\windows.log");
      z.putArchiveEntry(back);
      z.write("evil".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
    }
    byte[] zb = zipBytes.toByteArray();
    zb[6] |= 1; // general purpose bit 0 (encrypted) of the first local header
    for (int i = 0; i + 8 < zb.length; i++) {
      if (zb[i] == 'P' && zb[i + 1] == 'K' && zb[i + 2] == 1 && zb[i + 3] == 2) {
        zb[i + 8] |= 1; // and of its central directory header
        break;
      }
    }
    TestFiles.write(root, "z.zip", zb);

    Run run = collect(root, options());
    assertThat(run.skips()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "t.tar!/var/log/passwd.log archive_link", 1L,
        "t.tar!/var/log/hard.log archive_link", 1L,
        "t.tar!/dev/sda special_file", 1L,
        "t.tar!/../../escape.log archive_unsafe_name", 1L,
        "t.tar!//etc/cron.d/evil archive_unsafe_name", 1L,
        "t.tar!/a/../../b.log archive_unsafe_name", 1L,
        "z.zip!/" + AUDIT + " archive_encrypted", 1L,
        "z.zip!/var/log/link.log archive_link", 1L,
        "z.zip!/../../windows.log archive_unsafe_name", 1L));
    assertThat(run.report().skipped()).filteredOn(s -> s.path().equals("t.tar!/var/log/passwd.log"))
        .extracting(CollectionReport.Skipped::detail).containsExactly("symlink to /etc/passwd (never followed)");
    assertThat(run.manifest("t.tar!/" + AUDIT).getSourceType()).isEqualTo("k8s_audit");
    assertThat(run.out().manifests()).extracting(ArtifactManifest::getOrigin)
        .containsExactlyInAnyOrder("t.tar", "t.tar!/" + AUDIT, "z.zip");
    assertThat(Files.exists(tmp.resolve("escape.log"))).isFalse();
    assertThat(Files.exists(root.resolve("b.log"))).isFalse();
  }

  @Test
  void archivesInsideArchivesAreExpandedToTheConfiguredDepth() throws Exception {
    byte[] innerTgz = compress(tar(bundle()), o -> new GzipCompressorOutputStream(o));
    Map<String, byte[]> middle = new LinkedHashMap<>();
    middle.put("inner/bundle.tgz", innerTgz);
    byte[] middleZip = zip(middle, false);
    Map<String, byte[]> outer = new LinkedHashMap<>();
    outer.put("collected/middle.zip", middleZip);
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, "outer.tar", tar(outer));

    Run deep = collect(root, options().toBuilder().archiveMaxDepth(3).build());
    String member = "outer.tar!/collected/middle.zip!/inner/bundle.tgz!/bundle/" + DOCKER;
    ArtifactManifest docker = deep.manifest(member);
    assertThat(docker.getDerivedFrom().getOrigin()).isEqualTo("outer.tar!/collected/middle.zip!/inner/bundle.tgz");
    assertThat(docker.getDerivedFrom().getArtifactSha256()).isEqualTo(TestFiles.sha256(innerTgz));
    assertThat(deep.manifest("outer.tar!/collected/middle.zip").getDerivedFrom().getOrigin()).isEqualTo("outer.tar");
    assertThat(docker.getContext().getHost()).isEqualTo("node-7");

    Run byDefault = collect(root, options());
    assertThat(byDefault.manifest("outer.tar!/collected/middle.zip").getSourceType()).isEqualTo("evidence_archive");
    assertThat(byDefault.report().skipped()).filteredOn(s -> s.reason().equals("archive_too_deep"))
        .extracting(CollectionReport.Skipped::path)
        .containsExactly("outer.tar!/collected/middle.zip!/inner/bundle.tgz");
    assertThat(byDefault.out().manifests()).extracting(ArtifactManifest::getOrigin)
        .containsExactlyInAnyOrder("outer.tar", "outer.tar!/collected/middle.zip"); // the tgz stays inside the zip

    Run never = collect(root, options().toBuilder().archiveMaxDepth(0).build());
    assertThat(never.out().manifests()).isEmpty();
    assertThat(never.report().skipped()).extracting(CollectionReport.Skipped::reason, CollectionReport.Skipped::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("archive_too_deep", "outer.tar"));
  }

  @Test
  void aZipBombStopsAtTheRatioOrSizeLimitNamingIt() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(AUDIT, bundle().get("bundle/" + AUDIT));
    m.put("zeros.log", new byte[24 * 1024 * 1024]);
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, "bomb.zip", zip(m, false));

    Run run = collect(root, options().toBuilder().archiveMaxRatio(100).build());
    CollectionReport.Archive a = run.report().archives().get(0);
    assertThat(a.stop()).isEqualTo("limit");
    assertThat(a.detail()).contains("archive_max_ratio=100").contains("--archive-max-ratio");
    assertThat(run.report().warnings()).extracting(CollectionReport.Warning::code).contains("archive_limit");
    assertThat(run.skips()).containsEntry("bomb.zip!/zeros.log too_large_decompressed", 1L);
    assertThat(run.manifest("bomb.zip!/" + AUDIT).getSourceType()).isEqualTo("k8s_audit"); // before the bomb

    Run small = collect(root, options().toBuilder().archiveMaxBytes(1024 * 1024).build());
    assertThat(small.report().archives().get(0).detail()).contains("archive_max_bytes=1048576")
        .contains("--archive-max-bytes");

    Run raised = collect(root, options().toBuilder().archiveMaxRatio(100_000).build());
    assertThat(raised.report().archives().get(0).stop()).isEqualTo("complete");
  }

  @Test
  void aTruncatedArchiveKeepsTheMembersBeforeTheCut() throws Exception {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put(AUDIT, bundle().get("bundle/" + AUDIT));
    byte[] noise = new byte[256 * 1024];
    new java.util.Random(7).nextBytes(noise); // incompressible: the cut lands inside this member
    m.put("var/log/noise.bin", noise);
    m.put(DOCKER, bundle().get("bundle/" + DOCKER));
    byte[] tgz = compress(tar(m), o -> new GzipCompressorOutputStream(o));
    Path root = tmp.resolve("evidence");
    TestFiles.write(root, "cut.tar.gz", Arrays.copyOf(tgz, tgz.length / 2));
    byte[] zip = zip(m, false);
    TestFiles.write(root, "cut.zip", Arrays.copyOf(zip, zip.length / 2));

    Run run = collect(root, options());
    for (String name : List.of("cut.tar.gz", "cut.zip")) {
      CollectionReport.Archive a = run.report().archives().stream().filter(x -> x.origin().equals(name)).findFirst()
          .orElseThrow();
      assertThat(a.stop()).as(name).isEqualTo("corrupt");
      assertThat(a.expanded()).as(name).isEqualTo(1);
      assertThat(a.detail()).as(name).contains("var/log/noise.bin");
      assertThat(run.manifest(name + "!/" + AUDIT).getSourceType()).isEqualTo("k8s_audit");
      assertThat(run.skips()).containsEntry(name + "!/var/log/noise.bin archive_corrupt", 1L);
    }
    assertThat(run.report().warnings()).extracting(CollectionReport.Warning::code)
        .contains("archive_corrupt");
  }

  @Test
  void memberNamesAreNormalizedOrRefused() {
    assertThat(ArchiveExtractor.safeName("./bundle//var/log/a.log", false)).isEqualTo("bundle/var/log/a.log");
    assertThat(ArchiveExtractor.safeName("dir\\..\\x", false)).isNull();
    assertThat(ArchiveExtractor.safeName("C:\\Windows\\x", true)).isNull();
    assertThat(ArchiveExtractor.safeName("logs\\app.log", true)).isEqualTo("logs/app.log");
    assertThat(ArchiveExtractor.safeName("a..b/c", false)).isEqualTo("a..b/c");
  }
}
