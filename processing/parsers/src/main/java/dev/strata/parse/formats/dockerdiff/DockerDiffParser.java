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
        } else {
          emit(ctx, out, buf, i, e, line, newlines, cid);
        }
      }
      if (nl < 0) break;
      newlines++;
      i = nl + 1;
    }
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
