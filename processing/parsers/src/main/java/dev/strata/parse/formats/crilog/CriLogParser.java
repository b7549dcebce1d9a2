package dev.strata.parse.formats.crilog;

import dev.strata.parse.Bytes;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.ChunkLines;
import dev.strata.parse.CarriedRecords;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Events;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.formats.CarriedFormats;
import dev.strata.parse.formats.LogMessageReaders;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import dev.strata.schema.event.LogLine;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRI container log format written by containerd and CRI-O and read by the kubelet
 * ({@code pkg/kubelet/kuberuntime/logs}): one line per write,
 * {@code <RFC 3339 nanos timestamp> <stdout|stderr> <tag>[:<tag>...] <content>}.
 *
 * <ul>
 *   <li>Tag {@code F}: the line ends a message; {@code P}: the runtime split the message and more pieces follow.
 *       Consecutive {@code P} pieces and the {@code F} of the same stream within the chunk are joined into one event
 *       (lineage points at the first piece, byte_length spans to the end of the {@code F} line; time is the first
 *       piece's). A piece still open at the end of the chunk is emitted with {@code log.partial = true}. Tags after
 *       the first ({@code F:x:y}) are kept in {@code log.attrs["tags"]} ("x:y").
 *   <li>Event: OCSF 0 Base Event, message = content (verbatim, no trimming), log.stream, container.runtime
 *       ("cri-o" or "containerd" if the origin path names it, else "cri"). From the origin path: {@code
 *       .../pods/<namespace>_<pod>_<pod-uid>/<container>/<restart>.log} (also rotated {@code .log.<timestamp>} and
 *       {@code .gz}) gives kubernetes.namespace, pod_name, pod_uid, container_name and
 *       unmapped["kubernetes.restart_count"]; the kubelet link {@code .../containers/<pod>_<namespace>_<container>-<64
 *       hex>.log} gives pod, namespace, container name and container.uid; Podman's k8s-file log {@code
 *       .../overlay-containers/<64 hex>/userdata/ctr.log} gives container.uid and runtime "podman".
 *   <li>A message that is a record of a sensor printing on stdout (a Falco alert, JSON or text, in the Falco pod's log, a
 *       Tetragon event in its {@code export-stdout} container's: {@link CarriedFormats}) is emitted as that
 *       format's event instead, with the line as its record ({@link CarriedRecords}; the log's container and
 *       pod in unmapped {@code strata.carrier.*}, never as the alert's own container).
 *   <li>Blank lines are skipped. Fewer than four fields, a stream other than stdout/stderr or a first tag other than
 *       P/F: malformed_record. A bad timestamp: kept, time = observed time, warning.
 * </ul>
 */
public final class CriLogParser implements EvidenceParser {

  public static final String FORMAT = "cri_log";

  private static final Pattern PODS_PATH =
      Pattern.compile(
          "(?:^|/)pods/([^/_]+)_([^/_]+)_([^/_]+)/([^/]+)/(\\d+)\\.log(?:\\.[0-9][0-9T:.-]*)?(?:\\.gz)?$");
  private static final Pattern PODMAN_CTR_LOG =
      Pattern.compile("(?:^|/)overlay-containers/([0-9a-f]{64})/userdata/ctr\\.log$");
  private static final Pattern KUBELET_LINK =
      Pattern.compile("(?:^|/)([^/_]+)_([^/_]+)_([^/_]+)-([0-9a-f]{64})\\.log(?:\\.[0-9][0-9T:.-]*)?(?:\\.gz)?$");

  @Override
  public String format() {
    return FORMAT;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    new Run(ChunkContext.of(chunk), out).run();
  }

  /** What the origin path says about the container. */
  record PathInfo(
      String namespace, String pod, String podUid, String containerName, String restartCount, String containerId,
      String runtime) {
    static PathInfo of(String origin) {
      if (origin == null) return new PathInfo(null, null, null, null, null, null, "cri");
      String runtime = runtime(origin);
      Matcher m = PODS_PATH.matcher(origin);
      if (m.find()) return new PathInfo(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), null, runtime);
      m = KUBELET_LINK.matcher(origin);
      if (m.find()) return new PathInfo(m.group(2), m.group(1), null, m.group(3), null, m.group(4), runtime);
      m = PODMAN_CTR_LOG.matcher(origin);
      if (m.find()) return new PathInfo(null, null, null, null, null, m.group(1), "podman");
      return new PathInfo(null, null, null, null, null, null, runtime);
    }

    private static String runtime(String origin) {
      String o = origin.toLowerCase(java.util.Locale.ROOT);
      if (o.contains("cri-o") || o.contains("crio")) return "cri-o";
      if (o.contains("containerd")) return "containerd";
      return "cri";
    }
  }

  /** One line as read: positions in the payload. */
  private static final class Line {
    int start;
    int end;
    int tsEnd;
    int contentStart;
    String stream;
    boolean partial;
    String tags;
    long lineNo;
    long ordinal;
  }

  /** A message whose pieces are still coming. */
  private static final class Pending {
    final Line first;
    final StringBuilder text;
    int end;
    int pieces = 1;

    Pending(Line first, String content) {
      this.first = first;
      this.end = first.end;
      this.text = new StringBuilder(content.length() * 3).append(content);
    }
  }

  private static final class Run {
    private final ChunkContext ctx;
    private final ParseOutput out;
    private final byte[] buf;
    private final PathInfo path;
    private final CarriedRecords carried;
    private final Map<String, String> carrier;
    /** the application line readers of this chunk (the package script reader remembers npm's banner) */
    private final LogMessageReaders.Session readers = LogMessageReaders.session();
    private Pending pendingOut;
    private Pending pendingErr;
    private long ordinal;
    private String error;

    Run(ChunkContext ctx, ParseOutput out) {
      this.ctx = ctx;
      this.out = out;
      this.buf = ctx.payload();
      this.path = PathInfo.of(ctx.origin());
      this.carried = new CarriedRecords(ctx, CarriedFormats.JSON, CarriedFormats.TEXT);
      this.carrier = new HashMap<>(8);
      carrier.put("format", FORMAT);
      carrier.put("container_id", path.containerId());
      carrier.put("container_name", path.containerName());
      carrier.put("namespace", path.namespace());
      carrier.put("pod_name", path.pod());
    }

    void run() {
      ChunkLines.forEach(ctx, (i, end, lineNo, newlines, cut) -> {
        if (cut) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE, ChunkLines.CUT, i, buf.length, lineNo, ordinal++));
        } else {
          line(i, end, lineNo);
        }
      });
      flushPending();
    }



    private void line(int s, int e, long lineNo) {
      long ord = ordinal++;
      Line l = read(s, e);
      if (l == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_RECORD, error, s, e, lineNo, ord));
        return;
      }
      l.lineNo = lineNo;
      l.ordinal = ord;
      boolean err = l.stream == STDERR;
      Pending p = err ? pendingErr : pendingOut;
      if (p == null) {
        if (!l.partial) {
          if (l.contentStart < e && CarriedRecords.mayCarry(buf[l.contentStart])
              && carried.emit(l.contentStart, e, s, e, lineNo, ord, s, l.tsEnd, carrier, out)) {
            return;
          }
          emit(l, e, null, false, 1);
        } else {
          setPending(err, new Pending(l, content(l)));
        }
        return;
      }
      p.text.append(content(l));
      p.end = e;
      p.pieces++;
      if (!l.partial) {
        setPending(err, null);
        String message = p.text.toString();
        if (!carried.emit(message, p.first.start, p.end, p.first.lineNo, p.first.ordinal, timestamp(p.first), carrier,
            out)) {
          emit(p.first, p.end, message, false, p.pieces);
        }
      }
    }

    private String timestamp(Line l) {
      return new String(buf, l.start, l.tsEnd - l.start, StandardCharsets.ISO_8859_1);
    }

    private String content(Line l) {
      return new String(buf, l.contentStart, l.end - l.contentStart, StandardCharsets.UTF_8);
    }

    private void setPending(boolean err, Pending p) {
      if (err) {
        pendingErr = p;
      } else {
        pendingOut = p;
      }
    }

    private void flushPending() {
      List<Pending> left = new ArrayList<>(2);
      if (pendingOut != null) left.add(pendingOut);
      if (pendingErr != null) left.add(pendingErr);
      pendingOut = null;
      pendingErr = null;
      left.sort(Comparator.comparingInt(x -> x.first.start));
      for (Pending p : left) emit(p.first, p.end, p.text.toString(), true, p.pieces);
    }

    /** Builds and emits one event; a bug while building it costs this record only (parser_error). */
    private void emit(Line l, int end, String message, boolean partial, int pieces) {
      EvidenceEvent ev;
      try {
        ev = event(l, end, message, partial, pieces);
      } catch (RuntimeException | StackOverflowError ex) {
        out.reject(
            ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this record: " + ex, l.start, end, l.lineNo,
                l.ordinal));
        return;
      }
      out.emit(ev);
    }

    private EvidenceEvent event(Line l, int end, String message, boolean partial, int pieces) {
      int s = l.start;
      EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, s, end, l.lineNo, l.ordinal, 0);
      String raw;
      if (message == null && end - s <= ChunkContext.MAX_RAW_DATA_BYTES && asciiPrefix(s, l.contentStart)) {
        // one line: decode it once, the message is its tail (the prefix is ASCII, so chars = bytes)
        raw = new String(buf, s, end - s, StandardCharsets.UTF_8);
        message = raw.substring(l.contentStart - s);
      } else {
        if (message == null) message = content(l);
        raw = ctx.rawText(s, end);
      }
      ev.setMessage(message);
      ctx.applyTime(ev, timestamp(l), "timestamp");
      Map<String, String> attrs = new HashMap<>(l.tags == null ? 0 : 2);
      if (l.tags != null) attrs.put("tags", l.tags);
      ev.setLog(new LogLine(l.stream, partial, attrs));
      ev.setContainer(new Container(path.containerId(), path.containerName(), null, null, path.runtime(), null));
      Kubernetes k = ev.getKubernetes();
      if (path.pod() != null) {
        if (k == null) {
          k = new Kubernetes();
          ev.setKubernetes(k);
        }
        k.setNamespace(path.namespace());
        k.setPodName(path.pod());
        k.setPodUid(path.podUid());
        k.setContainerName(path.containerName());
        if (path.restartCount() != null) ev.getUnmapped().put("kubernetes.restart_count", path.restartCount());
      }
      if (k != null && ctx.host() != null) k.setNodeName(ctx.host());
      if (pieces > 1) ev.getUnmapped().put("strata.pieces", Integer.toString(pieces));
      if (partial) {
        Events.warn(ev, "message piece (P) without its final (F) line in this chunk (log.partial)");
      } else {
        readers.read(message, ev);
      }
      ev.setRawData(raw);
      return ev;
    }

    private boolean asciiPrefix(int s, int e) {
      for (int k = s; k < e; k++) if (buf[k] < 0) return false;
      return true;
    }

    private static final String STDOUT = "stdout";
    private static final String STDERR = "stderr";

    /** Splits one line into its four fields; null (with error set) if it does not follow the grammar. */
    private Line read(int s, int e) {
      int sp1 = Bytes.indexOf(buf, (byte) ' ', s, e);
      if (sp1 <= s) return fail(sp1 < 0 ? "not a CRI log line: no field separator" : "empty timestamp field");
      int sp2 = Bytes.indexOf(buf, (byte) ' ', sp1 + 1, e);
      if (sp2 < 0) return fail("not a CRI log line: no stream and tag after the timestamp");
      String stream;
      int sl = sp2 - sp1 - 1;
      if (sl == 6 && buf[sp1 + 1] == 's' && buf[sp1 + 2] == 't' && buf[sp1 + 3] == 'd') {
        if (buf[sp1 + 4] == 'o' && buf[sp1 + 5] == 'u' && buf[sp1 + 6] == 't') {
          stream = STDOUT;
        } else if (buf[sp1 + 4] == 'e' && buf[sp1 + 5] == 'r' && buf[sp1 + 6] == 'r') {
          stream = STDERR;
        } else {
          return fail("bad stream '" + excerpt(sp1 + 1, sp2) + "' (stdout or stderr)");
        }
      } else {
        return fail("bad stream '" + excerpt(sp1 + 1, sp2) + "' (stdout or stderr)");
      }
      int sp3 = Bytes.indexOf(buf, (byte) ' ', sp2 + 1, e);
      if (sp3 < 0) return fail("not a CRI log line: no content field after the tag");
      int t = sp2 + 1;
      if (t >= sp3 || (buf[t] != 'P' && buf[t] != 'F') || (t + 1 < sp3 && buf[t + 1] != ':')) {
        return fail("bad tag '" + excerpt(t, sp3) + "' (P or F, then optional ':'-separated tags)");
      }
      Line l = new Line();
      l.start = s;
      l.end = e;
      l.tsEnd = sp1;
      l.contentStart = sp3 + 1;
      l.stream = stream;
      l.partial = buf[t] == 'P';
      if (t + 1 < sp3) l.tags = ChunkContext.text(buf, t + 2, sp3, 1024);
      return l;
    }

    private String excerpt(int a, int b) {
      return Events.excerpt(ChunkContext.text(buf, a, b, 64), 32);
    }

    private Line fail(String message) {
      error = message;
      return null;
    }
  }
}
