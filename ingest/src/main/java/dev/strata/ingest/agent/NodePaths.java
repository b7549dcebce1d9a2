package dev.strata.ingest.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Paths of a node's filesystem mounted at {@code root}: glob expansion and symlink resolution where an absolute link
 * target means {@code root/<target>} (so /var/log/containers/x.log -> /var/log/pods/... works under /host), never
 * leaving the root.
 */
final class NodePaths {
  private static final int MAX_LINKS = 40;
  private final Path root;

  NodePaths(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** {@code path} relative to the root, '/' separators. */
  String rel(Path path) {
    return root.relativize(path).toString().replace(java.io.File.separatorChar, '/');
  }

  /** Regular files matching {@code glob} (relative to the root), links resolved; unresolvable ones are left out. */
  List<Path> expand(String glob) {
    List<Path> current = List.of(root);
    String[] segs = glob.split("/");
    for (int i = 0; i < segs.length; i++) {
      String seg = segs[i];
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      boolean last = i == segs.length - 1;
      List<Path> next = new ArrayList<>();
      boolean pattern = seg.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
      PathMatcher m = pattern ? FileSystems.getDefault().getPathMatcher("glob:" + seg) : null;
      for (Path dir : current) {
        if (!pattern) {
          Path p = resolve(dir.resolve(seg));
          if (p != null && (last ? Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
            next.add(p);
          }
          continue;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path child : ds) {
            if (!m.matches(child.getFileName())) {
              continue;
            }
            Path p = resolve(child);
            if (p != null && (last ? Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
              next.add(p);
            }
          }
        } catch (IOException | SecurityException e) {
          // a directory that vanished or cannot be read: nothing there this time
        }
      }
      current = next;
      if (current.isEmpty()) {
        break;
      }
    }
    return current;
  }

  /**
   * Resolves every link in {@code path} (which must be under the root) component by component, absolute targets
   * re-rooted; null when a link is broken, loops or escapes the root.
   */
  Path resolve(Path path) {
    Path p = path.toAbsolutePath().normalize();
    if (!p.startsWith(root)) {
      return null;
    }
    int links = 0;
    List<String> todo = new ArrayList<>();
    for (Path n : root.relativize(p)) {
      if (!n.toString().isEmpty()) {
        todo.add(n.toString());
      }
    }
    Path done = root;
    while (!todo.isEmpty()) {
      String name = todo.remove(0);
      if (name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        done = done.equals(root) ? root : done.getParent();
        continue;
      }
      Path candidate = done.resolve(name);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(candidate, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        return null;
      }
      if (!a.isSymbolicLink()) {
        done = candidate;
        continue;
      }
      if (++links > MAX_LINKS) {
        return null;
      }
      Path target;
      try {
        target = Files.readSymbolicLink(candidate);
      } catch (IOException e) {
        return null;
      }
      List<String> spliced = new ArrayList<>();
      for (Path n : target) {
        spliced.add(n.toString());
      }
      if (target.isAbsolute()) {
        done = root;
      }
      todo.addAll(0, spliced);
    }
    return done;
  }
}
