package dev.strata.parse.formats.dockerdiff;

import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Events;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code docker diff <container>} (also {@code docker container diff}, {@code podman diff}) output: one line per
 * changed path of the container's writable layer, {@code <kind> <path>} with kind {@code A} (added), {@code C}
 * (changed) or {@code D} (deleted). Each line is an OCSF 1001 File System Activity: A -> 1 Create, C -> 3 Update,
 * D -> 4 Delete; file.path = the path as printed, file.name = its last segment; container.uid from the file name
 * ({@code <id>.diff}, {@code <id>.diff.txt}, {@code docker-diff-<id>.txt}, {@code diff-<id>...}) or from a parent
 * directory named by a container id ({@code containers/<id>/diff.txt}); unmapped diff.kind = the letter. The
 * output has no time: time = observed time, warned. A line that is not {@code [ACD] /path}: malformed_record.
 *
 * <p>A {@code C} row of a path that is the parent of another row of the same output is no event: the daemon lists a
 * directory as changed when an entry below it was added, changed or deleted (moby pkg/archive/changes.go marks the
 * parent of every added or deleted path {@code ChangeModify}; overlay2 copies the directory up to the writable
 * layer), so {@code C /etc} above {@code A /etc/cron.d/kworker} says nothing the child does not: like the upper-dir
 * listing's {@code children_only} directories, it gets no row of its own (its line stays in the preserved
 * artifact). The output does not say whether a {@code C} path is a directory, so only a parent seen in the same
 * chunk is known (a diff of more than one chunk, 512 KiB, may keep a parent whose children are in the next one).
 */
public final class DockerDiffParser implements EvidenceParser {

  public static final String FORMAT = "docker_diff";

  private static final Pattern ID_IN_NAME =
      Pattern.compile("(?:^|[-_.])([0-9a-f]{12}|[0-9a-f]{64})(?=[-_.]|$)");
  private static final Pattern ID_DIR = Pattern.compile("(?:^|/)([0-9a-f]{64}|[0-9a-f]{12})/[^/]+$");

  @Override
  public String format() {
    return FORMAT;
  }


  /** The container id a diff file's path names, or null. */
  static String containerId(String origin) {
    if (origin == null) return null;
    String name = origin.substring(origin.lastIndexOf('/') + 1);
    if (name.contains("diff")) {
      Matcher m = ID_IN_NAME.matcher(name);
      if (m.find()) return m.group(1);
    }
    Matcher d = ID_DIR.matcher(origin);
    return d.find() ? d.group(1) : null;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    ChunkContext ctx = ChunkContext.of(chunk);
    byte[] buf = ctx.payload();
    String cid = containerId(ctx.origin());
    int n = buf.length;
    int i = 0;
    long newlines = 0;
    int last = n;
    while (last > 0 && (buf[last - 1] == '\n' || buf[last - 1] == '\r' || buf[last - 1] == ' ')) last--;
    int lastStart = last;
    while (lastStart > 0 && buf[lastStart - 1] != '\n') lastStart--;
    java.util.Set<String> parents = parents(buf, n);
    while (i < n) {
      int nl = Bytes.indexOfNewline(buf, i, n);
      int end = nl < 0 ? n : nl;
      int e = end > i && buf[end - 1] == '\r' ? end - 1 : end;
      if (!Bytes.isBlankLine(buf, i, e)) {
        long line = ctx.lineFromCount(newlines);
        if (ctx.truncatedRecord() && i == lastStart) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "line cut by the collector at its max record size (full bytes in the evidence store)", i, n, line,
              newlines));
        } else if (e - i < 3 || (buf[i] != 'A' && buf[i] != 'C' && buf[i] != 'D') || buf[i + 1] != ' '
            || buf[i + 2] != '/') {
          out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD,
              "not a docker diff line '<A|C|D> /path'", i, e, line, newlines));
        } else if (buf[i] != 'C' || !parents.contains(trimSlash(new String(buf, i + 2, e - i - 2, StandardCharsets.UTF_8)))) {
          emit(ctx, out, buf, i, e, line, newlines, cid);
        }
      }
      if (nl < 0) break;
      newlines++;
      i = nl + 1;
    }
  }

  /** Every proper ancestor directory of the paths of the chunk's well-formed rows ({@code /a/b/c} -> /a, /a/b). */
  static java.util.Set<String> parents(byte[] buf, int n) {
    java.util.Set<String> out = new java.util.HashSet<>();
    int i = 0;
    while (i < n) {
      int nl = Bytes.indexOfNewline(buf, i, n);
      int end = nl < 0 ? n : nl;
      int e = end > i && buf[end - 1] == '\r' ? end - 1 : end;
      if (e - i >= 3 && (buf[i] == 'A' || buf[i] == 'C' || buf[i] == 'D') && buf[i + 1] == ' ' && buf[i + 2] == '/') {
        String path = trimSlash(new String(buf, i + 2, e - i - 2, StandardCharsets.UTF_8));
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
          if (!out.add(path.substring(0, slash))) break; // its ancestors are in already
        }
      }
      if (nl < 0) break;
      i = nl + 1;
    }
    return out;
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
  }

  private static void emit(
      ChunkContext ctx, ParseOutput out, byte[] buf, int s, int e, long line, long ord, String cid) {
    char kind = (char) buf[s];
    int activity;
    String name;
    switch (kind) {
      case 'A' -> {
        activity = 1;
        name = "Create";
      }
      case 'C' -> {
        activity = 3;
        name = "Update";
      }
      default -> {
        activity = 4;
        name = "Delete";
      }
    }
    EvidenceEvent ev = ctx.newEvent(OcsfClass.FILE_SYSTEM_ACTIVITY, activity, name, s, e, line, ord, 0,
        new HashMap<>(4));
    String path = new String(buf, s + 2, e - s - 2, StandardCharsets.UTF_8);
    File f = new File();
    f.setPath(path);
    String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    f.setName(trimmed.substring(trimmed.lastIndexOf('/') + 1));
    ev.setFile(f);
    if (cid != null) {
      Container c = new Container();
      c.setUid(cid);
      c.setRuntime("docker");
      ev.setContainer(c);
    }
    ev.getUnmapped().put("diff.kind", String.valueOf(kind));
    Events.warn(ev, "docker diff output has no time; time = observed_time");
    ev.setSeverityId(1);
    ev.setSeverity("Informational");
    ev.setMessage((kind == 'A' ? "added " : kind == 'C' ? "changed " : "deleted ") + path
        + (cid != null ? " in container " + (cid.length() > 12 ? cid.substring(0, 12) : cid) : ""));
    ev.setRawData(ctx.rawText(s, e));
    out.emit(ev);
  }

}
