package dev.strata.ingest.walk;

import dev.strata.ingest.SkipReason;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Walks an evidence root (a mounted image or a bundle directory) at any depth, in a deterministic order (names sorted;
 * a directory's files before its subdirectories), without ever following a symlink:
 *
 * <ul>
 *   <li>regular files are reported once, by their real path inside the root;
 *   <li>a symlink is resolved by hand inside the root ({@link SymlinkResolver}, the root acting as "/"): if it ends in
 *       a regular file, that file is reached by the walk anyway, so the link is only reported as an alias of it;
 *       otherwise it is skipped (symlink_escape, symlink_loop, symlink_broken, symlink_directory, special_file);
 *   <li>devices, fifos and sockets are skipped (special_file) and never opened; unlistable directories are skipped
 *       (unreadable).
 * </ul>
 *
 * <p>The walker only lists directories and reads attributes and link targets: it opens no file. Listing a directory
 * may update its atime unless the evidence is mounted {@code ro,noatime} (Java has no O_NOATIME).
 */
public final class EvidenceWalker {

  /** Receives what the walk finds, in walk order. */
  public interface Visitor {
    /** A regular file. */
    void file(EvidenceFile file) throws IOException;

    /** A path that will not be collected. */
    void skipped(SkipReason reason, String relPath, String detail);

    /**
     * A symlink that resolves (inside the root) to the regular file {@code targetRel}; {@code clamped} when its target
     * tried to climb above the root.
     */
    void alias(String linkRel, String targetRel, boolean clamped);
  }

  private final Path realRoot;
  private final SymlinkResolver resolver;

  /** @throws IOException if the root does not exist or is not a directory */
  public EvidenceWalker(Path root) throws IOException {
    this.realRoot = root.toRealPath();
    if (!Files.isDirectory(realRoot)) {
      throw new NotDirectoryException(root.toString());
    }
    this.resolver = new SymlinkResolver(realRoot);
  }

  public Path realRoot() {
    return realRoot;
  }

  /** Walks the whole tree. Exceptions thrown by the visitor stop the walk. */
  public void walk(Visitor visitor) throws IOException {
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push("");
    while (!dirs.isEmpty()) {
      String dirRel = dirs.pop();
      List<Entry> entries;
      try {
        entries = list(dirRel);
      } catch (IOException e) {
        visitor.skipped(SkipReason.UNREADABLE, dirRel.isEmpty() ? "." : dirRel, "cannot list directory: " + e);
        continue;
      }
      List<String> subdirs = new ArrayList<>();
      for (Entry e : entries) {
        String rel = e.rel;
        BasicFileAttributes a = e.attrs;
        if (a == null) {
          visitor.skipped(SkipReason.UNREADABLE, rel, "cannot read attributes: " + e.error);
        } else if (a.isDirectory()) {
          subdirs.add(rel);
        } else if (a.isRegularFile()) {
          visitor.file(new EvidenceFile(realRoot.resolve(rel), rel, a.size(), a.lastModifiedTime().toInstant()));
        } else if (a.isSymbolicLink()) {
          symlink(rel, visitor);
        } else {
          visitor.skipped(SkipReason.SPECIAL_FILE, rel, "device, fifo or socket");
        }
      }
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        dirs.push(subdirs.get(i));
      }
    }
  }

  /** Real regular files (not symlinks) whose file name is one of {@code names}, in walk order. */
  public List<EvidenceFile> findByName(java.util.Set<String> names) throws IOException {
    List<EvidenceFile> found = new ArrayList<>();
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push("");
    while (!dirs.isEmpty()) {
      String dirRel = dirs.pop();
      List<Entry> entries;
      try {
        entries = list(dirRel);
      } catch (IOException e) {
        continue; // reported by walk()
      }
      List<String> subdirs = new ArrayList<>();
      for (Entry e : entries) {
        if (e.attrs == null) {
          continue;
        }
        if (e.attrs.isDirectory()) {
          subdirs.add(e.rel);
        } else if (e.attrs.isRegularFile() && names.contains(e.name)) {
          found.add(new EvidenceFile(realRoot.resolve(e.rel), e.rel, e.attrs.size(),
              e.attrs.lastModifiedTime().toInstant()));
        }
      }
      for (int i = subdirs.size() - 1; i >= 0; i--) {
        dirs.push(subdirs.get(i));
      }
    }
    return found;
  }

  private void symlink(String rel, Visitor visitor) {
    SymlinkResolution r;
    try {
      r = resolver.resolve(rel);
    } catch (IOException e) {
      visitor.skipped(SkipReason.UNREADABLE, rel, "cannot resolve symlink: " + e);
      return;
    }
    switch (r.kind()) {
      case FILE -> visitor.alias(rel, r.target(), r.clamped());
      case DIRECTORY -> visitor.skipped(SkipReason.SYMLINK_DIRECTORY, rel,
          "symlink to directory /" + r.target() + " (walked directly, not through the link)");
      case SPECIAL -> visitor.skipped(SkipReason.SPECIAL_FILE, rel, "symlink to a special file /" + r.target());
      case LOOP -> visitor.skipped(SkipReason.SYMLINK_LOOP, rel, r.detail());
      case BROKEN -> visitor.skipped(r.clamped() ? SkipReason.SYMLINK_ESCAPE : SkipReason.SYMLINK_BROKEN, rel,
          r.clamped() ? "target climbs above the evidence root; " + r.detail() : r.detail());
    }
  }

  private record Entry(String name, String rel, BasicFileAttributes attrs, IOException error) {}

  private List<Entry> list(String dirRel) throws IOException {
    Path dir = dirRel.isEmpty() ? realRoot : realRoot.resolve(dirRel);
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    }
    names.sort(null);
    List<Entry> out = new ArrayList<>(names.size());
    for (String name : names) {
      String rel = dirRel.isEmpty() ? name : dirRel + "/" + name;
      try {
        out.add(new Entry(name, rel,
            Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), null));
      } catch (IOException e) {
        out.add(new Entry(name, rel, null, e));
      }
    }
    return out;
  }
}
