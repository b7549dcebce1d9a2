package dev.strata.ingest.archive;

import dev.strata.ingest.SkipReason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Expands one evidence archive into a private working directory, member by member, as a forensic tool must: it never
 * creates or follows a symlink or hard link (a link member is reported with its target), refuses member names that
 * are absolute or climb with {@code ..}, skips device files, fifos and encrypted zip members (reported, never
 * guessed at), keeps the first copy of a member that appears twice, and bounds the expansion (total bytes written and
 * their ratio to the archive's size: a zip bomb stops with an error naming the limit). A corrupt or truncated archive
 * keeps the members read intact before the damage; the result says where it broke. Each file keeps the member's
 * modification time. The working directory is a copy, never the evidence: the caller collects it and deletes it.
 */
public final class ArchiveExtractor {

  /**
   * @param maxBytes largest total of member bytes one archive may expand to ({@code archive_max_bytes})
   * @param maxRatio largest ratio of expanded bytes to the archive's size ({@code archive_max_ratio}), enforced once
   *     more than {@code graceBytes} were written
   * @param graceBytes expanded bytes before the ratio is enforced
   */
  public record Limits(long maxBytes, double maxRatio, long graceBytes) {}

  /** Receives the members that are not expanded, with the member name as the archive holds it. */
  public interface Listener {
    void skipped(String member, SkipReason reason, String detail);
  }

  /** How the expansion ended. */
  public enum Stop {
    /** Every member read. */
    COMPLETE,
    /** The archive is damaged or cut short: the members before the damage were expanded. */
    CORRUPT,
    /** A limit of {@link Limits} was reached: the members before it were expanded. */
    LIMIT
  }

  /**
   * @param members members seen (directories not counted)
   * @param expanded members written to the working directory
   * @param bytes bytes written
   * @param stop how the expansion ended
   * @param detail where and why it stopped (null when complete)
   */
  public record Result(long members, long expanded, long bytes, Stop stop, String detail) {}

  private final Path archive;
  private final ArchiveFormat format;
  private final Path dest;
  private final Limits limits;
  private final Listener listener;
  private final long archiveSize;
  private long members;
  private long expanded;
  private long bytes;

  private ArchiveExtractor(Path archive, ArchiveFormat format, Path dest, Limits limits, Listener listener)
      throws IOException {
    this.archive = archive;
    this.format = format;
    this.dest = dest.toRealPath();
    this.limits = limits;
    this.listener = listener;
    this.archiveSize = Math.max(1, Files.size(archive));
  }

  /** Expands {@code archive} (of {@code format}) into the empty directory {@code dest}. */
  public static Result extract(Path archive, ArchiveFormat format, Path dest, Limits limits, Listener listener)
      throws IOException {
    return new ArchiveExtractor(archive, format, dest, limits, listener).run();
  }

  private Result run() throws IOException {
    try {
      String broke = format == ArchiveFormat.ZIP ? zip() : tar();
      return result(broke == null ? Stop.COMPLETE : Stop.CORRUPT, broke);
    } catch (LimitException e) {
      return result(Stop.LIMIT, e.getMessage());
    }
  }

  private Result result(Stop stop, String detail) {
    return new Result(members, expanded, bytes, stop, detail);
  }

  /** @return null when complete, else where the archive broke */
  private String tar() throws IOException, LimitException {
    try (InputStream raw = new BufferedInputStream(
            Files.newInputStream(archive, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), 1 << 16);
        InputStream in = ArchiveFormat.decompress(format, raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      return entries(tar, "header", this::skipTar);
    } catch (IOException | RuntimeException ex) {
      if (members == 0 && expanded == 0) {
        throw new IOException("not a readable " + format.code() + " archive: " + ex.getMessage(), ex);
      }
      return "after " + members + " members: " + ex.getMessage();
    }
  }

  /** @return null when complete, else where the archive broke */
  private String zip() throws IOException, LimitException {
    ZipFile zf;
    try {
      zf = ZipFile.builder().setPath(archive).get();
    } catch (IOException | RuntimeException e) {
      // no readable central directory (a truncated or damaged zip): read the local headers front to back
      String streamed = zipStream();
      return streamed != null ? streamed
          : "no readable central directory (" + e.getMessage() + "); members read from their local headers";
    }
    try (zf) {
      for (ZipArchiveEntry e : Collections.list(zf.getEntriesInPhysicalOrder())) {
        if (e.isDirectory()) {
          directory(e.getName());
          continue;
        }
        members++;
        if (skipZip(e) || unsupported(e, zf.canReadEntryData(e))) {
          continue;
        }
        String broke;
        try (InputStream in = zf.getInputStream(e)) {
          broke = member(e.getName(), true, in, e.getLastModifiedDate());
        } catch (IOException ex) {
          listener.skipped(e.getName(), SkipReason.ARCHIVE_CORRUPT, ex.getMessage());
          continue; // the central directory locates the next member: one damaged member does not stop the rest
        }
        if (broke != null) {
          continue; // reported; the central directory locates the next member
        }
      }
      return null;
    }
  }

  private String zipStream() throws IOException, LimitException {
    try (InputStream raw = new BufferedInputStream(
            Files.newInputStream(archive, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS), 1 << 16);
        ZipArchiveInputStream zin = new ZipArchiveInputStream(raw, "UTF-8", true, true)) {
      return entries(zin, "local header", e -> skipZip(e) || unsupported(e, zin.canReadEntryData(e)));
    }
  }

  /**
   * Expands the members of a tar or a zip read front to back.
   *
   * @return null when complete, else where the archive broke
   */
  private <E extends ArchiveEntry> String entries(ArchiveInputStream<E> in, String header, Predicate<E> skip)
      throws LimitException {
    while (true) {
      E e;
      try {
        e = in.getNextEntry();
      } catch (IOException | RuntimeException ex) {
        return "after " + members + " members, the next " + header + " is unreadable: " + ex.getMessage();
      }
      if (e == null) {
        return null;
      }
      if (e.isDirectory()) {
        directory(e.getName());
        continue;
      }
      members++;
      if (skip.test(e)) {
        continue;
      }
      String broke = member(e.getName(), format == ArchiveFormat.ZIP, in, e.getLastModifiedDate());
      if (broke != null) {
        return broke;
      }
    }
  }

  /** A tar member that is not a regular file: reported. */
  private boolean skipTar(TarArchiveEntry e) {
    String name = e.getName();
    if (e.isSymbolicLink()) {
      listener.skipped(name, SkipReason.ARCHIVE_LINK, "symlink to " + e.getLinkName() + " (never followed)");
    } else if (e.isLink()) {
      listener.skipped(name, SkipReason.ARCHIVE_LINK, "hard link to " + e.getLinkName() + " (never followed)");
    } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
      listener.skipped(name, SkipReason.SPECIAL_FILE, "device or fifo in the archive");
    } else if (!e.isFile()) {
      listener.skipped(name, SkipReason.SPECIAL_FILE, "tar entry type '" + (char) e.getLinkFlag() + "'");
    } else {
      return false;
    }
    return true;
  }

  private boolean unsupported(ZipArchiveEntry e, boolean canRead) {
    if (!canRead) {
      listener.skipped(e.getName(), SkipReason.UNREADABLE, "zip compression method " + e.getMethod()
          + " not supported");
    }
    return !canRead;
  }

  private boolean skipZip(ZipArchiveEntry e) {
    if (e.getGeneralPurposeBit().usesEncryption()) {
      listener.skipped(e.getName(), SkipReason.ARCHIVE_ENCRYPTED, "encrypted zip member (not decrypted)");
      return true;
    }
    int type = e.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX ? e.getUnixMode() & 0170000 : 0;
    if (e.isUnixSymlink()) {
      listener.skipped(e.getName(), SkipReason.ARCHIVE_LINK, "symlink (never followed)");
      return true;
    }
    if (type != 0 && type != 0100000) {
      listener.skipped(e.getName(), SkipReason.SPECIAL_FILE, "unix file type 0" + Integer.toOctalString(type));
      return true;
    }
    return false;
  }

  private void directory(String name) {
    String safe = safeName(name, format == ArchiveFormat.ZIP);
    if (safe == null || safe.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(dest.resolve(safe));
    } catch (IOException | InvalidPathException ignored) {
      // a clash with a file member: the files under it are reported when they come
    }
  }

  /**
   * Writes one member. Problems of the member alone are reported and expansion goes on.
   *
   * @return null, or where the archive broke (the stream is unusable past this member)
   */
  private String member(String name, boolean zip, InputStream in, Date mtime) throws LimitException {
    String safe = safeName(name, zip);
    if (safe == null) {
      listener.skipped(name, SkipReason.ARCHIVE_UNSAFE_NAME,
          "absolute or climbing ('..') member name: not expanded");
      return null;
    }
    if (safe.isEmpty()) {
      listener.skipped(name, SkipReason.ARCHIVE_UNSAFE_NAME, "empty member name");
      return null;
    }
    Path target;
    try {
      target = dest.resolve(safe).normalize();
    } catch (InvalidPathException e) {
      listener.skipped(name, SkipReason.ARCHIVE_UNSAFE_NAME, e.getMessage());
      return null;
    }
    if (!target.startsWith(dest) || target.equals(dest)) {
      listener.skipped(name, SkipReason.ARCHIVE_UNSAFE_NAME, "resolves outside the archive");
      return null;
    }
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      listener.skipped(name, SkipReason.ARCHIVE_DUPLICATE, "its directory clashes with a file member: " + e);
      return null;
    }
    OutputStream out;
    try {
      out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      listener.skipped(name, SkipReason.ARCHIVE_DUPLICATE,
          "the archive holds this name more than once; the first copy was collected");
      return null;
    } catch (IOException e) {
      listener.skipped(name, SkipReason.UNREADABLE, "cannot write the working copy: " + e);
      return null;
    }
    byte[] buf = new byte[1 << 16];
    try (out) {
      int n;
      while (true) {
        try {
          n = in.read(buf);
        } catch (IOException | RuntimeException e) {
          out.close();
          Files.deleteIfExists(target);
          listener.skipped(name, SkipReason.ARCHIVE_CORRUPT, "member cut short: " + e.getMessage());
          return "member " + members + " (" + name + ") is cut short: " + e.getMessage();
        }
        if (n < 0) {
          break;
        }
        bytes += n;
        check(name, target);
        out.write(buf, 0, n);
      }
    } catch (LimitException e) {
      throw e;
    } catch (IOException e) {
      listener.skipped(name, SkipReason.UNREADABLE, "cannot write the working copy: " + e);
      return null;
    }
    if (mtime != null) {
      try {
        Files.setLastModifiedTime(target, FileTime.from(mtime.toInstant()));
      } catch (IOException ignored) {
        // the working copy keeps the time of writing; the archive holds the original
      }
    }
    expanded++;
    return null;
  }

  private void check(String name, Path partial) throws LimitException {
    String why = null;
    if (bytes > limits.maxBytes()) {
      why = "the archive expands to more than archive_max_bytes=" + limits.maxBytes()
          + " bytes (raise it with --archive-max-bytes)";
    } else if (bytes > limits.graceBytes() && bytes > limits.maxRatio() * archiveSize) {
      why = "the archive (" + archiveSize + " bytes) expands more than archive_max_ratio="
          + trim(limits.maxRatio()) + " times its size: a zip bomb? (raise it with --archive-max-ratio)";
    }
    if (why != null) {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // removed with the working directory
      }
      listener.skipped(name, SkipReason.TOO_LARGE_DECOMPRESSED, why);
      throw new LimitException("stopped at member " + members + " (" + name + "): " + why);
    }
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * The member's path relative to the working directory: {@code ./} and empty segments dropped, a zip's backslashes
   * read as separators; null when the name is absolute ({@code /x}, {@code C:x}, {@code \\x}), climbs ({@code ..}
   * segment) or holds a NUL.
   */
  static String safeName(String name, boolean zip) {
    if (name == null || name.indexOf('\0') >= 0) {
      return null;
    }
    String n = zip ? name.replace('\\', '/') : name;
    if (n.startsWith("/") || n.startsWith("\\") || (n.length() >= 2 && n.charAt(1) == ':'
        && Character.isLetter(n.charAt(0)))) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    for (String s : n.split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (List.of(s.split("\\\\")).contains("..")) {
        return null;
      }
      parts.add(s);
    }
    return String.join("/", parts);
  }

  private static final class LimitException extends Exception {
    LimitException(String message) {
      super(message);
    }
  }
}
