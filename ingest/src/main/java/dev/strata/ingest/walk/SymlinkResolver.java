package dev.strata.ingest.walk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves symlinks inside an evidence root without ever letting the operating system follow one: every component is
 * looked at with {@code lstat} semantics ({@link LinkOption#NOFOLLOW_LINKS}), link targets are read with
 * {@code readlink} and interpreted with the root as "/". Nothing outside the root is ever touched.
 */
public final class SymlinkResolver {
  /** Same limit as Linux (MAXSYMLINKS / ELOOP). */
  public static final int MAX_HOPS = 40;

  private final Path realRoot;

  /** @param realRoot the evidence root as a real path ({@link Path#toRealPath}) */
  public SymlinkResolver(Path realRoot) {
    this.realRoot = realRoot;
  }

  /** Resolves the symlink at {@code linkRel} (relative to the root, '/' separators). */
  public SymlinkResolution resolve(String linkRel) throws IOException {
    List<String> cur = new ArrayList<>(split(linkRel));
    if (cur.isEmpty()) {
      throw new IllegalArgumentException("not a link path: '" + linkRel + "'");
    }
    cur.remove(cur.size() - 1);
    Deque<String> pending = new ArrayDeque<>();
    int hops = 1;
    String firstTarget = Files.readSymbolicLink(at(split(linkRel))).toString();
    if (firstTarget.startsWith("/")) {
      cur.clear();
    }
    prepend(pending, firstTarget);
    boolean clamped = false;
    while (!pending.isEmpty()) {
      String c = pending.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (cur.isEmpty()) {
          clamped = true;
        } else {
          cur.remove(cur.size() - 1);
        }
        continue;
      }
      cur.add(c);
      Path p = at(cur);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return new SymlinkResolution(
            SymlinkResolution.Kind.BROKEN, join(cur), clamped, "target " + firstTarget + " -> /" + join(cur)
                + " does not exist inside the evidence root");
      }
      if (a.isSymbolicLink()) {
        if (++hops > MAX_HOPS) {
          return new SymlinkResolution(
              SymlinkResolution.Kind.LOOP, null, clamped, "more than " + MAX_HOPS + " symlink hops (loop)");
        }
        String t = Files.readSymbolicLink(p).toString();
        cur.remove(cur.size() - 1);
        if (t.startsWith("/")) {
          cur.clear();
        }
        prepend(pending, t);
      } else if (!a.isDirectory() && hasMore(pending)) {
        return new SymlinkResolution(
            SymlinkResolution.Kind.BROKEN, join(cur), clamped, "/" + join(cur) + " is not a directory");
      }
    }
    String target = join(cur);
    if (cur.isEmpty()) {
      return new SymlinkResolution(SymlinkResolution.Kind.DIRECTORY, target, clamped, null);
    }
    BasicFileAttributes a = Files.readAttributes(at(cur), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isRegularFile()) {
      return new SymlinkResolution(SymlinkResolution.Kind.FILE, target, clamped, null);
    }
    if (a.isDirectory()) {
      return new SymlinkResolution(SymlinkResolution.Kind.DIRECTORY, target, clamped, null);
    }
    return new SymlinkResolution(SymlinkResolution.Kind.SPECIAL, target, clamped, "/" + target + " is a special file");
  }

  private static boolean hasMore(Deque<String> pending) {
    for (String s : pending) {
      if (!s.isEmpty() && !s.equals(".")) {
        return true;
      }
    }
    return false;
  }

  private Path at(List<String> comps) {
    Path p = realRoot;
    for (String c : comps) {
      p = p.resolve(c);
    }
    return p;
  }

  private static void prepend(Deque<String> pending, String target) {
    List<String> comps = split(target);
    for (int i = comps.size() - 1; i >= 0; i--) {
      pending.addFirst(comps.get(i));
    }
  }

  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  static String join(List<String> comps) {
    return String.join("/", comps);
  }
}
