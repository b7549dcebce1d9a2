package dev.strata.ingest.walk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.ingest.SkipReason;
import dev.strata.ingest.TestFiles;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceWalkerTest {
  @TempDir Path tmp;

  record Seen(List<String> files, List<String> skips, List<String> aliases) {}

  static Seen walk(Path root) throws IOException {
    Seen s = new Seen(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    new EvidenceWalker(root).walk(new EvidenceWalker.Visitor() {
      @Override
      public void file(EvidenceFile file) {
        s.files.add(file.relPath());
      }

      @Override
      public void skipped(SkipReason reason, String relPath, String detail) {
        s.skips.add(reason.code() + " " + relPath);
      }

      @Override
      public void alias(String linkRel, String targetRel, boolean clamped) {
        s.aliases.add(linkRel + " -> " + targetRel + (clamped ? " (clamped)" : ""));
      }
    });
    return s;
  }

  @Test
  void walksDeepTreesInSortedOrderFilesBeforeSubdirectories() throws IOException {
    Path root = tmp.resolve("img");
    TestFiles.write(root, "b.txt", "b");
    TestFiles.write(root, "a/z.txt", "z");
    TestFiles.write(root, "a/b/c/d/e/f/g/deep.txt", "deep");
    TestFiles.write(root, "a/a.txt", "a");

    assertThat(walk(root).files()).containsExactly("b.txt", "a/a.txt", "a/z.txt", "a/b/c/d/e/f/g/deep.txt");
  }

  @Test
  void absoluteSymlinkIsReRootedInsideTheImage() throws IOException {
    Path root = tmp.resolve("img");
    TestFiles.write(root, "var/log/pods/ns_pod_uid/c/0.log", "inside\n");
    Files.createDirectories(root.resolve("var/log/containers"));
    Files.createSymbolicLink(root.resolve("var/log/containers/x.log"), Path.of("/var/log/pods/ns_pod_uid/c/0.log"));

    Seen s = walk(root);

    assertThat(s.files()).containsExactly("var/log/pods/ns_pod_uid/c/0.log"); // once, by its real path
    assertThat(s.aliases()).containsExactly("var/log/containers/x.log -> var/log/pods/ns_pod_uid/c/0.log");
    assertThat(s.skips()).isEmpty();
  }

  @Test
  void relativeEscapeIsClampedAtTheRootAndNeverReadsTheHost() throws IOException {
    Path root = tmp.resolve("img");
    Files.createDirectories(root.resolve("a/b"));
    Files.createSymbolicLink(root.resolve("a/b/passwd"), Path.of("../../../../../../../etc/passwd"));
    Files.createSymbolicLink(root.resolve("a/abs-passwd"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(root.resolve("a/escape-dir"), Path.of("../../.."));

    Seen s = walk(root);

    assertThat(s.files()).isEmpty();
    assertThat(s.skips()).containsExactly(
        "symlink_broken a/abs-passwd", "symlink_directory a/escape-dir", "symlink_escape a/b/passwd");
    // with an etc/passwd inside the image, both resolve to it
    TestFiles.write(root, "etc/passwd", "root:x:0:0:image:/root:/bin/sh\n");
    s = walk(root);
    assertThat(s.aliases()).containsExactlyInAnyOrder(
        "a/abs-passwd -> etc/passwd", "a/b/passwd -> etc/passwd (clamped)");
  }

  @Test
  void symlinkChainsThroughDirectoryLinksResolveInsideTheRoot() throws IOException {
    Path root = tmp.resolve("img");
    TestFiles.write(root, "data/docker/containers/c1/c1-json.log", "x\n");
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/docker"), Path.of("/data/docker"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("var/lib/docker/containers/c1/../c1/c1-json.log"));

    Seen s = walk(root);

    assertThat(s.files()).containsExactly("data/docker/containers/c1/c1-json.log");
    assertThat(s.aliases()).containsExactly("link -> data/docker/containers/c1/c1-json.log");
    assertThat(s.skips()).containsExactly("symlink_directory var/lib/docker");
  }

  @Test
  void loopsAndLongChainsAreSkipped() throws IOException {
    Path root = tmp.resolve("img");
    Files.createDirectories(root);
    Files.createSymbolicLink(root.resolve("loop1"), Path.of("loop2"));
    Files.createSymbolicLink(root.resolve("loop2"), Path.of("/loop1"));
    Files.createSymbolicLink(root.resolve("self"), Path.of("self/x"));
    TestFiles.write(root, "target.txt", "t\n");
    Path prev = Path.of("target.txt");
    for (int i = 0; i < 45; i++) {
      Files.createSymbolicLink(root.resolve("chain" + i), prev);
      prev = Path.of("chain" + i);
    }

    Seen s = walk(root);

    assertThat(s.skips()).contains("symlink_loop loop1", "symlink_loop loop2", "symlink_loop self");
    // like Linux: 40 links in a chain resolve, 41 do not
    assertThat(s.aliases()).contains("chain0 -> target.txt", "chain39 -> target.txt");
    assertThat(s.skips()).contains("symlink_loop chain40", "symlink_loop chain44");
  }

  @Test
  void specialFilesAreSkippedWithoutOpeningThem() throws Exception {
    Path root = tmp.resolve("img");
    Files.createDirectories(root);
    Process p = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).start();
    assertThat(p.waitFor()).isZero();
    try (ServerSocketChannel ch = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.bind(UnixDomainSocketAddress.of(root.resolve("sock")));
      Files.createSymbolicLink(root.resolve("to-null"), Path.of("/dev/null"));
      Files.createDirectories(root.resolve("dev"));
      Files.createSymbolicLink(root.resolve("to-fifo"), Path.of("fifo"));

      Seen s = walk(root);

      assertThat(s.skips()).containsExactly(
          "special_file fifo", "special_file sock", "special_file to-fifo", "symlink_broken to-null");
    }
  }
}
