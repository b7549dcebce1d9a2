package dev.strata.ingest;

import static dev.strata.ingest.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.context.ContextValues;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.schema.common.Compression;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCollectorTest {
  static final String DOCKER = "var/lib/docker/containers/" + TestFiles.ID_A + "/" + TestFiles.ID_A + "-json.log";
  static final String CT_DIR = "AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05/01/";
  static final String CT_GZ = CT_DIR + "123456789012_CloudTrail_eu-west-1_20240501T1200Z_a.json.gz";
  static final String AUDIT = "var/log/kubernetes/audit/audit.log";
  static final String BIG_CT = "case/exports/trail-dump.txt";

  @TempDir Path tmp;
  Path root;
  byte[] ctContent;
  byte[] ctGz;
  byte[] bigCt;
  String hostPasswd;

  @BeforeEach
  void evidence() throws Exception {
    root = tmp.resolve("evidence");
    StringBuilder docker = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      docker.append(TestFiles.dockerLine(i));
    }
    write(root, DOCKER, docker.toString());
    write(root, AUDIT, TestFiles.auditLine(1) + TestFiles.auditLine(2));
    ctContent = TestFiles.cloudTrailFile(20, 50).getBytes(StandardCharsets.UTF_8);
    ctGz = TestFiles.gzip(ctContent);
    write(root, CT_GZ, ctGz);
    bigCt = TestFiles.cloudTrailFile(3000, 400).getBytes(StandardCharsets.UTF_8); // ~2 MB, misleading name
    write(root, BIG_CT, bigCt);
    write(root, "var/log/dpkg.log", "2024-05-01 12:00:00 status installed hello:amd64 1.0\n");
    write(root, "var/log/empty.log", "");
    write(root, "strata-context.yaml", """
        - path: var/
          host: node-1
          cluster: prod
        - path: AWSLogs/
          cloud_account: "999999999999"
        """);
    Files.createDirectories(root.resolve("var/log/containers"));
    Files.createSymbolicLink(root.resolve("var/log/containers/app.log"), Path.of("/" + DOCKER));
    Files.createSymbolicLink(root.resolve("var/log/containers/passwd.log"), Path.of("../../../../../../etc/passwd"));
    hostPasswd = Files.readString(Path.of("/etc/passwd"));
    Process p = new ProcessBuilder("mkfifo", root.resolve("var/log/fifo").toString()).start();
    assertThat(p.waitFor()).isZero();
  }

  @AfterEach
  void writable() throws Exception {
    new ProcessBuilder("chmod", "-R", "u+w", tmp.toString()).start().waitFor();
  }

  /** Records the order of preserve and publish calls. */
  static final class Recorder implements EvidencePreserver {
    final List<String> events = new ArrayList<>();
    final List<ArtifactManifest> preserved = new ArrayList<>();

    @Override
    public String preserve(ArtifactManifest manifest, Path file) throws IOException {
      assertThat(manifest.getStorageUri()).isNull();
      assertThat(Files.isSymbolicLink(file)).isFalse();
      assertThat(TestFiles.sha256(Files.readAllBytes(file))).isEqualTo(manifest.getArtifactSha256());
      events.add("preserve " + manifest.getArtifactSha256());
      preserved.add(manifest);
      return "s3://evidence/artifacts/sha256/" + manifest.getArtifactSha256();
    }

    ChunkPublisher wrap(InMemoryChunkPublisher inner) {
      return ChunkPublisher.forEach(c -> {
        events.add("chunk " + c.getArtifactSha256());
        inner.publish(c);
      }, m -> {
        events.add("manifest " + m.getArtifactSha256());
        inner.publishManifest(m);
      });
    }
  }

  static CollectorOptions options() {
    return CollectorOptions.builder().runId("run-1").operator("tester").collectorHostname("lab")
        .contextDefaults(new ContextValues("cli-host", "cli-cluster", null, null, null)).build();
  }

  @Test
  void collectsABundle() throws Exception {
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    Recorder rec = new Recorder();
    List<ProgressListener.Progress> progress = new ArrayList<>();

    CollectionReport report = FileCollector.collect(root, options(), rec.wrap(out), rec, progress::add);

    // per source type
    assertThat(report.sourceTypes().keySet()).containsExactly("aws_cloudtrail", "docker_json_log", "k8s_audit");
    assertThat(report.sourceTypes().get("aws_cloudtrail").artifacts()).isEqualTo(2);
    assertThat(report.artifactCount()).isEqualTo(4);
    assertThat(out.manifests()).hasSize(4);
    assertThat(report.recordsAcknowledged()).isEqualTo(out.chunks().size() + 4);
    // skipped, with reason codes
    assertThat(report.skipped()).extracting(CollectionReport.Skipped::reason, CollectionReport.Skipped::path)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("empty", "var/log/empty.log"),
            org.assertj.core.groups.Tuple.tuple("special_file", "var/log/fifo"),
            org.assertj.core.groups.Tuple.tuple("not_recognized", "var/log/dpkg.log"),
            org.assertj.core.groups.Tuple.tuple("symlink_escape", "var/log/containers/passwd.log"));
    assertThat(report.aliases()).containsExactly(new CollectionReport.Alias("var/log/containers/app.log", DOCKER));
    assertThat(report.contextManifests()).containsExactly("strata-context.yaml");
    assertThat(report.warnings()).extracting(CollectionReport.Warning::code)
        .containsExactly("context_conflict"); // manifest account vs AWSLogs/<account>

    // every artifact reassembles to its content; chunk metadata is consistent
    for (ArtifactManifest m : out.manifests()) {
      List<RawArtifactChunk> chunks = out.chunksOf(m.getArtifactSha256());
      assertThat(chunks).hasSize(m.getChunkCount());
      byte[] content = InMemoryChunkPublisher.concat(chunks);
      assertThat(TestFiles.sha256(content)).isEqualTo(m.getContentSha256());
      assertThat((long) content.length).isEqualTo(m.getContentSize());
      for (RawArtifactChunk c : chunks) {
        assertThat(c.getChunk().getCount()).isEqualTo(chunks.size());
        assertThat(c.getStorageUri()).isEqualTo("s3://evidence/artifacts/sha256/" + m.getArtifactSha256());
        assertThat(c.getCollector().getRunId()).isEqualTo("run-1");
        assertThat(c.getCollector().getId()).isEqualTo("file_collector");
        assertThat(c.getEvidenceRoot()).isEqualTo(root.toRealPath().toString());
        assertThat(c.getOriginMtime()).isNotNull();
      }
      // preserved before the first chunk
      assertThat(rec.events.indexOf("preserve " + m.getArtifactSha256()))
          .isLessThan(rec.events.indexOf("chunk " + m.getArtifactSha256()));
      assertThat(rec.events.indexOf("manifest " + m.getArtifactSha256()))
          .isGreaterThan(rec.events.lastIndexOf("chunk " + m.getArtifactSha256()));
    }

    // gzip CloudTrail: artifact = the .gz bytes, content = decompressed; context from the path layout
    ArtifactManifest gz = manifest(out, CT_GZ);
    assertThat(gz.getArtifactSha256()).isEqualTo(TestFiles.sha256(ctGz));
    assertThat(gz.getSize()).isEqualTo(ctGz.length);
    assertThat(gz.getContentSha256()).isEqualTo(TestFiles.sha256(ctContent));
    assertThat(gz.getCompression()).isEqualTo(Compression.GZIP);
    assertThat(gz.getContext().getCloudAccount()).isEqualTo("123456789012");
    assertThat(gz.getContext().getCloudRegion()).isEqualTo("eu-west-1");
    assertThat(gz.getContext().getCloudProvider()).isEqualTo("aws");
    assertThat(gz.getContext().getHost()).isEqualTo("cli-host");

    // > 1 MB CloudTrail under a wrong name: several JSON_RECORDS chunks, each under the target size
    List<RawArtifactChunk> big = out.chunksOfOrigin(BIG_CT);
    assertThat(big).hasSizeGreaterThan(3);
    assertThat(big).allSatisfy(c -> {
      assertThat(c.getPayload().remaining()).isLessThanOrEqualTo(CollectorOptions.DEFAULT_CHUNK_SIZE);
      assertThat(c.getFraming()).isEqualTo(Framing.JSON_RECORDS);
      assertThat(c.getChunk().getTruncatedRecord()).isFalse();
    });
    assertThat(InMemoryChunkPublisher.concat(big)).isEqualTo(bigCt);
    assertThat(StandardCharsets.UTF_8.decode(big.get(0).getPayload().duplicate()).toString()).startsWith("{\"Records\":[");

    // docker log: context from the manifest, compression none
    ArtifactManifest docker = manifest(out, DOCKER);
    assertThat(docker.getCompression()).isEqualTo(Compression.NONE);
    assertThat(docker.getArtifactSha256()).isEqualTo(docker.getContentSha256());
    assertThat(docker.getContext().getHost()).isEqualTo("node-1");
    assertThat(docker.getContext().getCluster()).isEqualTo("prod");

    // the host's /etc/passwd was never read
    for (RawArtifactChunk c : out.chunks()) {
      assertThat(StandardCharsets.UTF_8.decode(c.getPayload().duplicate()).toString()).doesNotContain(hostPasswd);
    }

    assertThat(progress.get(progress.size() - 1).finished()).isTrue();
    assertThat(progress.get(progress.size() - 1).artifacts()).isEqualTo(4);
    JsonNode json = new ObjectMapper().readTree(report.toJson());
    assertThat(json.get("skip_counts").get("symlink_escape").asLong()).isEqualTo(1);
    assertThat(json.get("artifacts").get(0).has("artifact_sha256")).isTrue();
    assertThat(report.summary(false)).contains("aws_cloudtrail", "symlink_escape", "list them with --verbose")
        .doesNotContain("var/log/dpkg.log");
    assertThat(report.summary(true)).contains("var/log/dpkg.log");
  }

  private static ArtifactManifest manifest(InMemoryChunkPublisher out, String origin) {
    return out.manifests().stream().filter(m -> m.getOrigin().equals(origin)).findFirst().orElseThrow();
  }

  @Test
  void neverWritesIntoTheEvidence() throws Exception {
    assertThat(new ProcessBuilder("chmod", "-R", "a-w", root.toString()).start().waitFor()).isZero();
    Map<String, String> before = snapshot(root);

    CollectionReport report = FileCollector.collect(
        root, options(), new InMemoryChunkPublisher(), EvidencePreserver.NONE, ProgressListener.NONE);

    assertThat(report.artifactCount()).isEqualTo(4);
    assertThat(snapshot(root)).isEqualTo(before);
  }

  /** Listing with type, size, mtime, ctime and permissions of every entry (symlinks not followed). */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String perms = a.isSymbolicLink() ? "link" : PosixFilePermissions.toString(
            Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        m.put(root.relativize(p).toString(), a.size() + " " + a.lastModifiedTime() + " "
            + Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS) + " " + perms);
      }
    }
    return m;
  }

  @Test
  void recollectingPublishesTheSameArtifactsAndChunks() {
    InMemoryChunkPublisher a = new InMemoryChunkPublisher();
    InMemoryChunkPublisher b = new InMemoryChunkPublisher();
    FileCollector.collect(root, options(), a, EvidencePreserver.NONE, ProgressListener.NONE);
    FileCollector.collect(root, options().toBuilder().runId(null).build(), b, EvidencePreserver.NONE, null);

    assertThat(b.chunks()).hasSameSizeAs(a.chunks());
    for (int i = 0; i < a.chunks().size(); i++) {
      RawArtifactChunk x = a.chunks().get(i);
      RawArtifactChunk y = b.chunks().get(i);
      assertThat(y.getCollector().getRunId()).isNotEqualTo("run-1");
      y.setCollector(x.getCollector());
      y.setCollectedAt(x.getCollectedAt());
      assertThat(y).isEqualTo(x);
    }
  }

  @Test
  void gzipBombsStopEarly() throws Exception {
    Path bombs = tmp.resolve("bombs");
    // 64 members of 8 MiB of the same docker log line each: 512 MiB of content from a few hundred KB of gzip
    String line = TestFiles.dockerLine(0);
    byte[] member = TestFiles.gzip(line.repeat((8 << 20) / line.length()).getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 64; i++) {
      all.writeBytes(member);
    }
    write(bombs, DOCKER + ".1.gz", all.toByteArray());
    // zeros are not recognized: only the 64 KiB sample is ever decompressed
    write(bombs, "zeros.json.gz", TestFiles.gzip(new byte[64 << 20]));
    // a legit multi-member gzip docker log
    ByteArrayOutputStream multi = new ByteArrayOutputStream();
    multi.writeBytes(TestFiles.gzip(TestFiles.dockerLine(1).getBytes(StandardCharsets.UTF_8)));
    multi.writeBytes(TestFiles.gzip(TestFiles.dockerLine(2).getBytes(StandardCharsets.UTF_8)));
    write(bombs, "rotated.log.gz", multi.toByteArray());
    write(bombs, "corrupt.log.gz", java.util.Arrays.copyOf(multi.toByteArray(), 30));

    long t0 = System.nanoTime();
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport byRatio = FileCollector.collect(bombs,
        CollectorOptions.builder().gzipRatioGraceBytes(1 << 20).maxGzipRatio(100).build(), out, null, null);
    CollectionReport bySize = FileCollector.collect(bombs,
        CollectorOptions.builder().maxContentBytes(4 << 20).build(), new InMemoryChunkPublisher(), null, null);
    long millis = (System.nanoTime() - t0) / 1_000_000;

    assertThat(byRatio.skipped(SkipReason.TOO_LARGE_DECOMPRESSED)).singleElement()
        .satisfies(s -> assertThat(s.detail()).contains("max_gzip_ratio=100"));
    assertThat(bySize.skipped(SkipReason.TOO_LARGE_DECOMPRESSED)).singleElement()
        .satisfies(s -> assertThat(s.detail()).contains("max_content_bytes=4194304"));
    assertThat(byRatio.skipped(SkipReason.CORRUPT_GZIP)).extracting(CollectionReport.Skipped::path)
        .containsExactly("corrupt.log.gz");
    assertThat(byRatio.skipped(SkipReason.NOT_RECOGNIZED)).extracting(CollectionReport.Skipped::path)
        .containsExactly("zeros.json.gz");
    assertThat(millis).as("stopped early, not after 512 MiB").isLessThan(5_000);
    assertThat(out.chunks()).extracting(RawArtifactChunk::getOrigin).containsExactly("rotated.log.gz");
    assertThat(InMemoryChunkPublisher.concat(out.chunks()))
        .isEqualTo((TestFiles.dockerLine(1) + TestFiles.dockerLine(2)).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anEndlessLineIsTruncatedAndReported() throws Exception {
    Path ev = tmp.resolve("endless");
    String endless = "{\"log\":\"" + "A".repeat(3 << 20) + "\\n\",\"stream\":\"stdout\",\"time\":\"t\"}\n";
    write(ev, DOCKER, TestFiles.dockerLine(1) + endless + TestFiles.dockerLine(3));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();

    CollectionReport report = FileCollector.collect(ev,
        CollectorOptions.builder().chunkSize(16 << 10).maxRecordBytes(64 << 10).build(), out, null, null);

    assertThat(out.chunks()).extracting(c -> c.getChunk().getTruncatedRecord()).containsExactly(false, true, false);
    RawArtifactChunk t = out.chunks().get(1);
    assertThat(t.getChunk().getLength()).isEqualTo(64 << 10);
    assertThat(t.getChunk().getFirstLine()).isEqualTo(2);
    assertThat(out.chunks().get(2).getChunk().getFirstLine()).isEqualTo(3);
    assertThat(report.truncations()).singleElement().satisfies(tr -> {
      assertThat(tr.origin()).isEqualTo(DOCKER);
      assertThat(tr.chunkIndex()).isEqualTo(1);
      assertThat(tr.recordLength()).isEqualTo(endless.length());
      assertThat(tr.skippedBytes()).isEqualTo(endless.length() - (64 << 10));
    });
    assertThat(report.sourceTypes().get("docker_json_log").truncatedRecords()).isEqualTo(1);
  }

  @Test
  void failuresToPreserveOrPublishStopTheRun() {
    assertThatThrownBy(() -> FileCollector.collect(root, options(), new InMemoryChunkPublisher(),
        (m, f) -> {
          throw new IOException("bucket gone");
        }, null))
        .isInstanceOf(CollectionException.class)
        .hasMessageContaining("preserving").hasMessageContaining("bucket gone");
    assertThatThrownBy(() -> FileCollector.collect(root, options(), ChunkPublisher.forEach(c -> {
      throw new dev.strata.ingest.publish.PublishException("broker down", null);
    }, m -> {}), null, null)).isInstanceOf(CollectionException.class).hasMessageContaining("broker down");
    assertThatThrownBy(() -> FileCollector.collect(tmp.resolve("missing"), options(), new InMemoryChunkPublisher(),
        null, null)).isInstanceOf(CollectionException.class).hasMessageContaining("not a readable directory");
  }

  @Test
  void collectsASingleNamedFileByItsFullPath() throws Exception {
    Path link = tmp.resolve("named.json.gz");
    Files.createSymbolicLink(link, root.resolve(CT_GZ));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();

    CollectionReport report = FileCollector.collectFile(link, options(), out, null, null);

    assertThat(report.artifactCount()).isEqualTo(1);
    ArtifactManifest m = out.manifests().get(0);
    assertThat(m.getOrigin()).isEqualTo(root.resolve(CT_GZ).toRealPath().toString().substring(1));
    assertThat(m.getEvidenceRoot()).isEqualTo("/");
    assertThat(m.getArtifactSha256()).isEqualTo(TestFiles.sha256(ctGz));
    assertThat(m.getContext().getCloudAccount()).isEqualTo("123456789012"); // path layout still applies
    assertThat(InMemoryChunkPublisher.concat(out.chunks())).isEqualTo(ctContent);
  }

  @Test
  void anInvalidContextManifestFailsBeforeAnythingIsPublished() {
    write(root, "var/strata-context.json", "[{\"path\":\"log\",\"hots\":\"x\"}]");
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    assertThatThrownBy(() -> FileCollector.collect(root, options(), out, null, null))
        .hasMessageContaining("var/strata-context.json:1: entry 1: unknown key 'hots'");
    assertThat(out.chunks()).isEmpty();
  }
}
