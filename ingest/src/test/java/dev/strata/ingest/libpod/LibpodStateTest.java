package dev.strata.ingest.libpod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.ingest.recognize.ContentSample;
import dev.strata.ingest.recognize.Recognition;
import dev.strata.ingest.recognize.Recognizers;
import dev.strata.schema.raw.ArtifactManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Podman's state database read from the files the real engines wrote ({@code fixtures/libpod-state}: Python's sqlite3
 * with libpod's schema, the bbolt library with libpod's buckets; {@code libpod_state.py} says what each holds).
 */
class LibpodStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static byte[] fixture(String name) throws IOException {
    return resource("/fixtures/libpod-state/" + name);
  }

  static byte[] resource(String path) throws IOException {
    try (InputStream in = LibpodStateTest.class.getResourceAsStream(path)) {
      return in.readAllBytes();
    }
  }

  static String sha(String name) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(fixture(name)));
  }

  static List<JsonNode> lines(byte[] jsonl) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : new String(jsonl, StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) out.add(JSON.readTree(l));
    return out;
  }

  static List<JsonNode> derive(byte[] db, LibpodState.Result[] result) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    result[0] = LibpodState.derive(db, out);
    return lines(out.toByteArray());
  }

  @Test
  void sqliteStateGivesEveryContainerWithItsConfigStateAndThePodsAndExitCodes() throws Exception {
    LibpodState.Result[] r = new LibpodState.Result[1];
    List<JsonNode> l = derive(fixture("db.sql"), r);

    assertThat(r[0]).isEqualTo(new LibpodState.Result("sqlite", 15, 1, 1, null));
    assertThat(l).hasSize(17);
    assertThat(l).allSatisfy(n -> assertThat(n.path("libpod_state").asText()).isEqualTo("sqlite"));
    // ContainerConfig's rows in rowid order: web, the pod's infra, the job, then the one-shots
    JsonNode web = l.get(0);
    assertThat(web.path("object").asText()).isEqualTo("container");
    assertThat(web.path("name").asText()).isEqualTo("web");
    assertThat(web.path("id").asText()).hasSize(64).isEqualTo(web.path("config").path("id").asText());
    assertThat(web.path("config").path("rootfsImageName").asText()).isEqualTo("docker.io/library/nginx:1.27");
    assertThat(web.path("config").path("newPortMappings").get(0).path("host_port").asInt()).isEqualTo(8080);
    assertThat(web.path("config").path("spec").path("process").path("args").get(0).asText()).isEqualTo("nginx");
    assertThat(web.path("state").path("networkStatus").path("podman").path("interfaces").path("eth0").path("subnets")
        .get(0).path("ipnet").asText()).isEqualTo("10.88.0.7/16");
    assertThat(web.path("state_code").asInt()).isEqualTo(3);
    assertThat(web.path("db").path("graph_root").asText()).isEqualTo("/var/lib/containers/storage");
    assertThat(web.path("db").path("run_root").asText()).isEqualTo("/run/containers/storage");
    assertThat(web.path("source").path("table").asText()).isEqualTo("ContainerConfig");
    assertThat(web.path("source").path("rowid").asLong()).isEqualTo(1);

    JsonNode job = l.get(2);
    assertThat(job.path("name").asText()).isEqualTo("batch-job");
    assertThat(job.path("pod_id").asText()).isEqualTo(l.get(1).path("pod_id").asText()).hasSize(64);
    assertThat(job.path("state_code").asInt()).isEqualTo(6);
    assertThat(job.path("exit_code").asInt()).isEqualTo(137);
    assertThat(job.path("state").path("finishedTime").asText()).isEqualTo("2026-11-20T06:20:33.75Z");
    // a config of 6 KiB is read whole through its overflow pages, in a table whose B-tree has interior pages
    assertThat(l.get(14).path("name").asText()).isEqualTo("oneshot-11");
    assertThat(l.get(14).path("config").path("spec").path("process").path("env")).hasSize(23);

    JsonNode pod = l.get(15);
    assertThat(pod.path("object").asText()).isEqualTo("pod");
    assertThat(pod.path("name").asText()).isEqualTo("batch");
    assertThat(pod.path("id").asText()).isEqualTo(job.path("pod_id").asText());
    assertThat(pod.path("infra_container_id").asText()).isEqualTo(l.get(1).path("id").asText());
    JsonNode exit = l.get(16);
    assertThat(exit.path("object").asText()).isEqualTo("exit_code");
    assertThat(exit.path("id").asText()).isEqualTo(job.path("id").asText());
    assertThat(exit.path("exit_code").asInt()).isEqualTo(137);
    assertThat(exit.path("timestamp").asLong()).isEqualTo(1795155633L);
  }

  @Test
  void boltStateGivesTheContainersNamedInAllCtrsAndKeepsTheOldPortMappings() throws Exception {
    LibpodState.Result[] r = new LibpodState.Result[1];
    List<JsonNode> l = derive(fixture("bolt_state.db"), r);

    assertThat(r[0]).isEqualTo(new LibpodState.Result("bolt", 2, 0, 1, null));
    JsonNode api = l.stream().filter(n -> n.path("name").asText().equals("orders-api")).findFirst().orElseThrow();
    assertThat(api.path("libpod_state").asText()).isEqualTo("bolt");
    assertThat(api.path("config").path("networkMode").asText()).isEqualTo("slirp4netns");
    assertThat(api.path("config").path("newPortMappings").get(0).path("container_port").asInt()).isEqualTo(8080);
    assertThat(api.path("state_code").asInt()).isEqualTo(3);
    assertThat(api.path("source").path("bucket").asText()).isEqualTo("ctr/" + api.path("id").asText());
    assertThat(api.path("db").path("graph_root").asText()).isEqualTo("/home/orders/.local/share/containers/storage");
    JsonNode legacy = l.stream().filter(n -> n.path("name").asText().equals("legacy")).findFirst().orElseThrow();
    assertThat(legacy.path("config").path("portMappings").get(0).path("hostIP").asText()).isEqualTo("127.0.0.1");
    assertThat(legacy.path("state_code").asInt()).isEqualTo(4);
    JsonNode exit = l.get(l.size() - 1);
    assertThat(exit.path("object").asText()).isEqualTo("exit_code");
    assertThat(exit.path("id").asText()).isEqualTo(legacy.path("id").asText());
    assertThat(exit.path("exit_code").asInt()).isZero();
    assertThat(exit.path("time").asText()).isEqualTo("2025-03-05T18:00:00.250431902Z");
    assertThat(exit.path("source").path("bucket").asText()).isEqualTo("exit-code/" + legacy.path("id").asText());
  }

  @Test
  void aTruncatedDatabaseKeepsTheRowsBeforeTheCutAndEndsWithAnErrorLine() throws Exception {
    byte[] db = fixture("db.sql");
    LibpodState.Result[] r = new LibpodState.Result[1];
    List<JsonNode> l = derive(Arrays.copyOf(db, 12 * 4096), r);

    assertThat(r[0].error()).contains("outside the file");
    JsonNode last = l.get(l.size() - 1);
    assertThat(last.path("object").asText()).isEqualTo("error");
    assertThat(last.path("error").asText()).isEqualTo(r[0].error());
    assertThat(last.path("containers_read").asInt()).isEqualTo(r[0].containers()).isEqualTo(l.size() - 1);
  }

  @Test
  void garbageBehindTheMagicIsAnErrorLineNeverAnException() throws Exception {
    byte[] db = fixture("db.sql");
    byte[] bad = db.clone();
    for (int i = 4096 * 4; i < 4096 * 5; i++) bad[i] = (byte) 0xA5; // the ContainerConfig's interior root's neighbour
    for (int i = 4096 * 4; i < 4096 * 4 + 8; i++) bad[i] = 0; // page 5, the ContainerConfig root: not a B-tree page
    LibpodState.Result[] r = new LibpodState.Result[1];
    List<JsonNode> l = derive(bad, r);
    assertThat(r[0].error()).isNotNull();
    assertThat(l.get(l.size() - 1).path("object").asText()).isEqualTo("error");

    byte[] bolt = fixture("bolt_state.db");
    for (int i = 4096 * 2; i < bolt.length; i++) bolt[i] = (byte) (i * 31);
    derive(bolt, r);
    assertThat(r[0].engine()).isEqualTo("bolt");
    assertThat(r[0].error()).isNotNull();

    derive("SQLite format 3\0 and nothing else".getBytes(StandardCharsets.US_ASCII), r);
    assertThat(r[0].error()).isEqualTo("not an SQLite 3 database (no header string)");
  }

  @Test
  void theFilesAreRecognizedByContentAndPath() throws Exception {
    var recognizers = Recognizers.defaults();
    ContentSample head = new ContentSample(Arrays.copyOf(fixture("db.sql"), ContentSample.SIZE), false, false);
    Recognition sql = Recognizers.recognize(recognizers, "var/lib/containers/storage/db.sql", head);
    assertThat(sql.sourceType()).isEqualTo("libpod_state_db");
    // this file's schema lies on pages 21-22 (page 1 became an interior page as the tables were created), past the
    // sample: the magic alone is not enough, a renamed copy is not claimed
    assertThat(Recognizers.recognize(recognizers, "copies/anything.bin", head).recognized()).isFalse();
    Recognition bolt = Recognizers.recognize(recognizers, "home/u/.local/share/containers/storage/libpod/bolt_state.db",
        new ContentSample(fixture("bolt_state.db"), true, false));
    assertThat(bolt.sourceType()).isEqualTo("libpod_state_db");
    // containerd's metadata.db is a bbolt file too, but not libpod's
    Recognition containerd = Recognizers.recognize(recognizers, "var/lib/containerd/metadata.db",
        new ContentSample(resource("/fixtures/containerd-snapshotter/metadata.db"), true, false));
    assertThat(containerd.sourceType()).isNotEqualTo("libpod_state_db");
  }

  @Test
  void theCollectorPreservesTheDatabaseUntouchedAndDerivesItsObjects() throws Exception {
    Path root = tmp.resolve("evidence");
    Path db = root.resolve("hosts/b/var/lib/containers/storage/db.sql");
    Path bolt = root.resolve("hosts/a/home/orders/.local/share/containers/storage/libpod/bolt_state.db");
    Files.createDirectories(db.getParent());
    Files.createDirectories(bolt.getParent());
    Files.write(db, fixture("db.sql"));
    Files.write(bolt, fixture("bolt_state.db"));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    ArtifactManifest original = out.manifests().stream()
        .filter(m -> m.getOrigin().equals("hosts/b/var/lib/containers/storage/db.sql")).findFirst().orElseThrow();
    assertThat(original.getSourceType()).isEqualTo("libpod_state_db");
    assertThat(original.getChunkCount()).isZero();
    assertThat(original.getArtifactSha256()).isEqualTo(sha("db.sql"));
    ArtifactManifest derived = out.manifests().stream()
        .filter(m -> m.getOrigin().equals("hosts/b/var/lib/containers/storage/db.sql#libpod_state")).findFirst()
        .orElseThrow();
    assertThat(derived.getSourceType()).isEqualTo("libpod_state");
    assertThat(derived.getDerivedFrom().getArtifactSha256()).isEqualTo(original.getArtifactSha256());
    assertThat(derived.getDerivedFrom().getMethod()).isEqualTo("libpod_state_objects");
    assertThat(derived.getDerivedFrom().getSourceType()).isEqualTo("libpod_state_db");
    assertThat(lines(out.reassemble(derived.getArtifactSha256()))).hasSize(17);
    assertThat(out.manifests()).filteredOn(m -> m.getOrigin().endsWith("bolt_state.db#libpod_state")).singleElement()
        .satisfies(m -> assertThat(lines(out.reassemble(m.getArtifactSha256()))).hasSize(3));
    // the evidence is never written: no -wal / -shm beside it, the same bytes
    try (var files = Files.list(db.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("db.sql");
    }
    assertThat(Files.readAllBytes(db)).isEqualTo(fixture("db.sql"));
    assertThat(report.warnings()).isEmpty();
  }

  @Test
  void anUnreadableDatabaseIsPreservedReportedAndItsErrorLineFlowsToTheParser() throws Exception {
    Path root = tmp.resolve("evidence");
    Path db = root.resolve("var/lib/containers/storage/db.sql");
    Files.createDirectories(db.getParent());
    Files.write(db, Arrays.copyOf(fixture("db.sql"), 12 * 4096));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    assertThat(out.manifests()).extracting(ArtifactManifest::getOrigin)
        .containsExactlyInAnyOrder("var/lib/containers/storage/db.sql", "var/lib/containers/storage/db.sql#libpod_state");
    assertThat(report.warnings()).singleElement().satisfies(w -> {
      assertThat(w.code()).isEqualTo("libpod_state_unreadable");
      assertThat(w.message()).startsWith("sqlite: ").contains("outside the file");
    });
    ArtifactManifest derived = out.manifests().stream().filter(m -> m.getOrigin().endsWith("#libpod_state"))
        .findFirst().orElseThrow();
    List<JsonNode> l = lines(out.reassemble(derived.getArtifactSha256()));
    assertThat(l.get(l.size() - 1).path("object").asText()).isEqualTo("error");
  }

  @Test
  void theWriteAheadLogsCommitsAreTheDatabaseAsSqliteSeesIt() throws Exception {
    // wal/db.sql-wal: after the checkpoint "late" was created and web stopped; a rolled-back delete left nothing
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LibpodState.Result r = LibpodState.derive(fixture("db.sql"), fixture("wal/db.sql-wal"), "f00d", out);
    List<JsonNode> l = lines(out.toByteArray());
    assertThat(r).isEqualTo(new LibpodState.Result("sqlite", 16, 1, 1, null));
    JsonNode web = l.stream().filter(n -> n.path("name").asText().equals("web")).findFirst().orElseThrow();
    assertThat(web.path("state_code").asInt()).isEqualTo(6);
    assertThat(web.path("state").path("finishedTime").asText()).isEqualTo("2026-11-20T09:29:00Z");
    assertThat(web.path("source").has("state_wal_frame")).isTrue();
    JsonNode late = l.stream().filter(n -> n.path("name").asText().equals("late")).findFirst().orElseThrow();
    assertThat(late.path("source").path("wal_frame").asInt()).isPositive();
    assertThat(late.path("config").path("newPortMappings").get(0).path("host_port").asInt()).isEqualTo(8443);
    assertThat(l).allSatisfy(n -> {
      assertThat(n.path("db").path("wal_sha256").asText()).isEqualTo("f00d");
      assertThat(n.path("db").path("wal_commits").asText()).isEqualTo("2");
      assertThat(n.path("db").has("wal_stop")).isFalse();
    });
    // the main file's rows without the log: web still running, no "late"
    LibpodState.Result[] main = new LibpodState.Result[1];
    assertThat(derive(fixture("db.sql"), main)).noneMatch(n -> n.path("name").asText().equals("late"));

    // a log cut inside its last transaction: the commits before it
    byte[] wal = fixture("wal/db.sql-wal");
    SqliteWal.Applied cut = SqliteWal.apply(fixture("db.sql"), Arrays.copyOf(wal, wal.length - 100));
    assertThat(cut.commits()).isEqualTo(1);
    assertThat(cut.stop()).startsWith("a frame cut at byte");
    // a flipped byte in a frame: the checksum chain stops there
    byte[] bad = wal.clone();
    bad[32 + 24 + 100] ^= 1;
    assertThat(SqliteWal.apply(fixture("db.sql"), bad).stop()).isEqualTo("frame 1 checksum");
    assertThat(SqliteWal.apply(fixture("db.sql"), bad).image()).isEqualTo(fixture("db.sql"));
  }

  @Test
  void theCollectorReadsTheLogBesideTheDatabaseAndPreservesBoth() throws Exception {
    Path root = tmp.resolve("evidence");
    Path db = root.resolve("var/lib/containers/storage/db.sql");
    Files.createDirectories(db.getParent());
    Files.write(db, fixture("db.sql"));
    Files.write(db.resolveSibling("db.sql-wal"), fixture("wal/db.sql-wal"));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    ArtifactManifest log = out.manifests().stream().filter(m -> m.getOrigin().endsWith("db.sql-wal")).findFirst()
        .orElseThrow();
    assertThat(log.getSourceType()).isEqualTo("libpod_state_wal");
    assertThat(log.getChunkCount()).isZero();
    assertThat(log.getArtifactSha256()).isEqualTo(sha("wal/db.sql-wal"));
    ArtifactManifest derived = out.manifests().stream().filter(m -> m.getOrigin().endsWith("#libpod_state"))
        .findFirst().orElseThrow();
    List<JsonNode> l = lines(out.reassemble(derived.getArtifactSha256()));
    assertThat(l).hasSize(18);
    assertThat(l.get(0).path("db").path("wal_sha256").asText()).isEqualTo(log.getArtifactSha256());
    assertThat(Files.readAllBytes(db)).isEqualTo(fixture("db.sql"));
    assertThat(report.warnings()).isEmpty();
  }

  @Test
  void anotherProgramsDbSqlIsPreservedAndReportedNotDeadLettered() throws Exception {
    Path root = tmp.resolve("evidence");
    Path db = root.resolve("srv/app/db.sql");
    Files.createDirectories(db.getParent());
    Files.write(db, fixture("other/db.sql"));
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.defaults(), out, null, null);

    assertThat(out.manifests()).singleElement().satisfies(m -> {
      assertThat(m.getSourceType()).isEqualTo("libpod_state_db");
      assertThat(m.getChunkCount()).isZero();
    });
    assertThat(out.chunks()).isEmpty();
    assertThat(report.warnings()).singleElement().satisfies(w -> {
      assertThat(w.code()).isEqualTo("libpod_state_not_libpod");
      assertThat(w.message()).isEqualTo("sqlite: not libpod's state database (no ContainerConfig table)");
    });
  }

  @Test
  void damagedCopiesNeverEscapeAsExceptionsNorLoop() throws Exception {
    // 300 copies of each database with 1 to 64 random bytes changed (a seeded draw): every read ends, as lines
    java.util.Random random = new java.util.Random(19);
    for (String name : List.of("db.sql", "bolt_state.db")) {
      byte[] db = fixture(name);
      for (int n = 0; n < 300; n++) {
        byte[] bad = db.clone();
        int flips = 1 + random.nextInt(64);
        for (int k = 0; k < flips; k++) bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LibpodState.Result r = LibpodState.derive(bad, out);
        List<JsonNode> l = lines(out.toByteArray());
        if (r.error() != null && !r.error().startsWith(LibpodState.NOT_LIBPOD)) {
          assertThat(l.get(l.size() - 1).path("object").asText()).as(name + " #" + n).isEqualTo("error");
        }
      }
    }
  }
}
