package dev.strata.parse.formats.dockerjsonlog;

import com.fasterxml.jackson.core.JsonParser;
import dev.strata.parse.CloudWatchExportLines;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkLines;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.CarriedRecords;
import dev.strata.parse.Events;
import dev.strata.parse.Json;
import dev.strata.parse.JsonFormatParser;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's {@code json-file} logging driver: one JSON object per line,
 * {@code {"log":"...\n","stream":"stdout|stderr","time":"<RFC 3339 nanos>","attrs":{...}}}.
 *
 * <ul>
 *   <li>The daemon splits messages longer than 16 KiB into several lines; every piece but the last lacks the
 *       trailing {@code \n}. Consecutive pieces of the same stream within the chunk are joined into one event
 *       (lineage points at the first piece, byte_length spans all of them). A piece still open at the end of the
 *       chunk is emitted with {@code log.partial = true}. (A message that really ends without a newline, e.g. the
 *       last output of a container, is indistinguishable from a piece; it is joined with the next message of its
 *       stream, as Docker's own readers do.)
 *   <li>Event: OCSF 0 Base Event, message = log without its final newline, log.stream, log.attrs (values as
 *       strings), container.uid from the origin path ({@code .../containers/<id>/<id>-json.log[.N][.gz]}, or the
 *       kubelet's {@code /var/log/containers/<pod>_<ns>_<container>-<id>.log} link, which also gives the pod,
 *       namespace and container name), container.runtime "docker".
 *   <li>A record a log shipper forwarded with its Kubernetes metadata (Fluent Bit's / Fluentd's {@code kubernetes}
 *       block: Container Insights, OpenSearch, S3 outputs; {@link ShipperMetadata}) names its pod, namespace, pod uid,
 *       node, container name and id, image and image digest (runtime left unset unless the file is Docker's own);
 *       the block also stays in unmapped {@code kubernetes}.
 *   <li>A message that is a record of a sensor printing on stdout (a Falco alert, JSON or text, in the Falco container's log,
 *       a Tetragon event: {@link CarriedFormats}) is emitted as that format's event instead, with the line(s) as its
 *       record ({@link CarriedRecords}; the log's container in unmapped {@code strata.carrier.*}).
 *   <li>Blank lines are skipped. Not a JSON object: malformed_json. No {@code log} string: missing_field. No or bad
 *       {@code time}: kept, time = observed time, warning.
 * </ul>
 */
public final class DockerJsonLogParser extends JsonFormatParser {

  public static final String FORMAT = "docker_json_log";

  private static final Pattern DOCKER_PATH =
      Pattern.compile("(?:^|/)containers/([0-9a-f]{64})/\\1-json\\.log(?:\\.\\d+)?(?:\\.gz)?$");
  private static final Pattern ID_FILE = Pattern.compile("(?:^|/)([0-9a-f]{64})-json\\.log(?:\\.\\d+)?(?:\\.gz)?$");
  private static final Pattern KUBELET_LINK =
      Pattern.compile("(?:^|/)([^/_]+)_([^/_]+)_([^/]+)-([0-9a-f]{64})\\.log(?:\\.\\d+)?(?:\\.gz)?$");

  public DockerJsonLogParser() {
    super(FORMAT);
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    new Run(ChunkContext.of(chunk), out).run();
  }

  /** What the origin path says about the container. */
  record PathInfo(String containerId, String pod, String namespace, String containerName) {
    static PathInfo of(String origin) {
      if (origin == null) return new PathInfo(null, null, null, null);
      Matcher m = DOCKER_PATH.matcher(origin);
      if (m.find()) return new PathInfo(m.group(1), null, null, null);
      m = KUBELET_LINK.matcher(origin);
      if (m.find()) return new PathInfo(m.group(4), m.group(1), m.group(2), m.group(3));
      m = ID_FILE.matcher(origin);
      if (m.find()) return new PathInfo(m.group(1), null, null, null);
      return new PathInfo(null, null, null, null);
    }
  }

  /** A message whose pieces are still coming. */
  private static final class Pending {
    final int start;
    final long line;
    final long ordinal;
    final DockerLine first;
    final StringBuilder log;
    int end;
    int pieces = 1;

    Pending(int start, int end, long line, long ordinal, DockerLine first) {
      this.start = start;
      this.end = end;
      this.line = line;
      this.ordinal = ordinal;
      this.first = first;
      this.log = new StringBuilder(first.body.length() * 2).append(first.body);
    }
  }

  private static final class Run {
    private final ChunkContext ctx;
    private final ParseOutput out;
    private final byte[] buf;
    private final PathInfo path;
    private CarriedRecords carried;
    private Map<String, String> carrier;
    // open messages per stream: stdout and stderr in fields (hot path), any other stream name in a map
    private Pending pendingOut;
    private Pending pendingErr;
    private Map<String, Pending> pendingOther;
    private final DockerLineReader reader = new DockerLineReader();
    /** the application line readers of this chunk (the package script reader remembers npm's banner) */
    private final LogMessageReaders.Session readers = LogMessageReaders.session();
    private long ordinal;
    private String error;
    private RejectReason errorReason;

    Run(ChunkContext ctx, ParseOutput out) {
      this.ctx = ctx;
      this.out = out;
      this.buf = ctx.payload();
      this.path = PathInfo.of(ctx.origin());
    }

    void run() {
      ChunkLines.forEach(ctx, (i, end, lineNo, newlines, cut) -> {
        if (cut) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE, ChunkLines.CUT, i, buf.length, lineNo, ordinal++));
          return;
        }
        int e = end;
        while (e > i && (buf[e - 1] == '\r' || buf[e - 1] == ' ' || buf[e - 1] == '\t')) e--;
        int s = i;
        while (s < e && Json.isWs(buf[s])) s++;
        line(s, e, lineNo);
      });
      flushPending();
    }


    private void line(int s, int e, long lineNo) {
      long ord = ordinal++;
      DockerLine l = read(exportMessageStart(s, e), e);
      if (l == null) {
        out.reject(ctx.rejection(errorReason, error, s, e, lineNo, ord));
        return;
      }
      String key = l.stream == null ? "" : l.stream;
      Pending p = getPending(key);
      boolean complete = l.complete || shippedWhole(l);
      if (p == null) {
        if (complete) {
          emit(s, e, lineNo, ord, l, l.body, false, 1);
        } else {
          setPending(key, new Pending(s, e, lineNo, ord, l));
        }
        return;
      }
      p.log.append(l.body);
      if (!l.ascii) p.first.ascii = false;
      p.end = e;
      p.pieces++;
      if (complete) {
        setPending(key, null);
        emit(p.start, p.end, p.line, p.ordinal, p.first, p.log.toString(), false, p.pieces);
      }
    }

    /** Builds and emits one event; a bug while building it costs this record only (parser_error). */
    private void emit(int s, int e, long line, long ord, DockerLine l, String log, boolean partial, int pieces) {
      if (!partial && !log.isEmpty() && CarriedRecords.mayCarry((byte) log.charAt(0))
          && carried(log, l.time, s, e, line, ord)) {
        return;
      }
      EvidenceEvent ev;
      try {
        ev = event(s, e, line, ord, l, log, partial, pieces);
      } catch (RuntimeException | StackOverflowError ex) {
        out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this record: " + ex, s, e, line, ord));
        return;
      }
      out.emit(ev);
    }

    /** The message as a carried format's record ({@link CarriedFormats}), emitted; false when it is none. */
    private boolean carried(String message, String time, int s, int e, long line, long ord) {
      if (carried == null) {
        carried = new CarriedRecords(ctx, CarriedFormats.JSON, CarriedFormats.TEXT);
        carrier = new HashMap<>(8);
        carrier.put("format", FORMAT);
        carrier.put("container_id", path.containerId());
        carrier.put("container_name", path.containerName());
        carrier.put("namespace", path.namespace());
        carrier.put("pod_name", path.pod());
      }
      return carried.emit(message, s, e, line, ord, time, carrier, out);
    }

    private Pending getPending(String stream) {
      if ("stdout".equals(stream)) return pendingOut;
      if ("stderr".equals(stream)) return pendingErr;
      return pendingOther == null ? null : pendingOther.get(stream);
    }

    private void setPending(String stream, Pending p) {
      if ("stdout".equals(stream)) {
        pendingOut = p;
      } else if ("stderr".equals(stream)) {
        pendingErr = p;
      } else if (p == null) {
        if (pendingOther != null) pendingOther.remove(stream);
      } else {
        if (pendingOther == null) pendingOther = new HashMap<>(4);
        pendingOther.put(stream, p);
      }
    }

    private void flushPending() {
      List<Pending> left = new ArrayList<>(2);
      if (pendingOut != null) left.add(pendingOut);
      if (pendingErr != null) left.add(pendingErr);
      if (pendingOther != null) left.addAll(pendingOther.values());
      if (left.isEmpty()) return;
      left.sort(Comparator.comparingInt(x -> x.start));
      pendingOut = null;
      pendingErr = null;
      pendingOther = null;
      for (Pending p : left) {
        emit(p.start, p.end, p.line, p.ordinal, p.first, p.log.toString(), true, p.pieces);
      }
    }

    private EvidenceEvent event(
        int s, int e, long line, long ord, DockerLine l, String message, boolean partial, int pieces) {
      EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, s, e, line, ord, 0);
      ev.setMessage(message);
      ctx.applyTime(ev, l.time, "time");
      ev.setLog(new LogLine(l.stream, partial, l.attrs == null ? new HashMap<>(0) : l.attrs));
      ShipperMetadata shipped = l.extra == null ? null : ShipperMetadata.of(l.extra.get("kubernetes"), l.extra.get("docker"));
      Kubernetes k = ev.getKubernetes();
      if (shipped == null) {
        ev.setContainer(new Container(path.containerId(), null, null, null, "docker", null));
      } else {
        // forwarded by a shipper: the file is the shipper's, the record names its container (any runtime)
        String cid = path.containerId() != null ? path.containerId() : shipped.containerId();
        ev.setContainer(new Container(cid, shipped.containerName(), shipped.imageName(), shipped.imageId(),
            path.containerId() != null ? "docker" : null, shipped.imageDigest()));
        if (k == null) {
          k = new Kubernetes();
          ev.setKubernetes(k);
        }
        k.setPodName(shipped.podName());
        k.setNamespace(shipped.namespace());
        k.setPodUid(shipped.podUid());
        k.setContainerName(shipped.containerName());
        k.setNodeName(shipped.node());
      }
      if (path.pod() != null) {
        if (k == null) {
          k = new Kubernetes();
          ev.setKubernetes(k);
        }
        k.setPodName(path.pod());
        k.setNamespace(path.namespace());
        k.setContainerName(path.containerName());
      }
      if (k != null && ctx.host() != null && k.getNodeName() == null) k.setNodeName(ctx.host());
      if (l.extra != null) {
        for (Map.Entry<String, String> x : l.extra.entrySet()) ev.getUnmapped().put(x.getKey(), x.getValue());
      }
      if (pieces > 1) ev.getUnmapped().put("strata.pieces", Integer.toString(pieces));
      if (partial) {
        Events.warn(ev, "message piece without continuation in this chunk (log.partial)");
      } else {
        readers.read(message, ev);
      }
      ev.setRawData(
          l.ascii && pieces == 1
              ? new String(buf, s, Math.min(e - s, ChunkContext.MAX_RAW_DATA_BYTES), StandardCharsets.ISO_8859_1)
              : ctx.rawText(s, e));
      return ev;
    }

    /** Parses one line; null (with error/errorReason set) if it is not a usable log record. */
    /**
     * A log shipper's record is a whole line unless it says otherwise: Fluent Bit's CRI parser (containerd nodes, EKS
     * Fargate) drops the newline and keeps the runtime's tag ({@code logtag} P: a piece of a long line, F: its last
     * or only piece), and a record with the shipper's {@code kubernetes} block and no tag is one line. Only Docker's
     * json-file marks its 16 KiB pieces by the missing newline; read that way, every shipped line of a stream was
     * glued to the next into one event.
     */
    private static boolean shippedWhole(DockerLine l) {
      if (l.extra == null) return false;
      String tag = l.extra.get("logtag");
      if (tag != null) return !"P".equals(tag);
      return l.extra.containsKey("kubernetes");
    }

    /**
     * Where the record starts: a CloudWatch Logs export task's line is {@code <timestamp> <message>} (Fluent Bit's /
     * FireLens's records shipped to CloudWatch Logs, exported to S3), the record the message; the event's span stays
     * the whole line.
     */
    private int exportMessageStart(int s, int e) {
      if (s >= e || buf[s] == '{') return s;
      int m = CloudWatchExportLines.messageStart(buf, s, e);
      return m >= 0 && m < e && buf[m] == '{' ? m : s;
    }

    private DockerLine read(int s, int e) {
      DockerLine fast = new DockerLine();
      if (reader.read(buf, s, e, fast)) return fast;
      DockerLine l = new DockerLine();
      try (JsonParser p = Json.utf8Parser(buf, s, e - s)) {
        if (p == null) return fail(RejectReason.MALFORMED_JSON, "not UTF-8 JSON (NUL bytes or UTF-16/32)");
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
          return fail(RejectReason.MALFORMED_JSON, "line is not a JSON object (starts with " + t + ")");
        }
        boolean logSeen = false;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          switch (name) {
            case "log":
              logSeen = true;
              if (v == JsonToken.VALUE_STRING) {
                l.setLog(p.getText());
              } else {
                l.body = null;
                p.skipChildren();
              }
              break;
            case "stream":
              l.stream = stream(p, v);
              break;
            case "time":
              l.time = v == JsonToken.VALUE_STRING ? p.getText() : Json.scalarText(p);
              break;
            case "attrs":
              l.attrs = attrs(p, v);
              break;
            default:
              if (l.extra == null) l.extra = new HashMap<>(4);
              l.extra.put(name, valueText(p, v, s));
          }
        }
        if (p.nextToken() != null) {
          return fail(RejectReason.MALFORMED_JSON, "trailing data after the JSON object on this line");
        }
        if (l.body == null) {
          return fail(
              RejectReason.MISSING_FIELD,
              logSeen ? "'log' is not a string" : "no 'log' field: not a json-file log record");
        }
        return l;
      } catch (JsonProcessingException ex) {
        return fail(RejectReason.MALFORMED_JSON, "invalid JSON: " + ex.getOriginalMessage());
      } catch (IOException ex) {
        return fail(RejectReason.MALFORMED_JSON, "invalid JSON: " + ex.getMessage());
      }
    }

    private String valueText(JsonParser p, JsonToken v, int s) throws IOException {
      if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        int a = s + (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int b = s + (int) p.currentLocation().getByteOffset();
        return ChunkContext.text(buf, a, b, ChunkContext.MAX_RAW_DATA_BYTES);
      }
      return Json.scalarText(p);
    }

    private static String stream(JsonParser p, JsonToken v) throws IOException {
      if (v != JsonToken.VALUE_STRING) {
        return Json.scalarText(p);
      }
      char[] c = p.getTextCharacters();
      int o = p.getTextOffset();
      int n = p.getTextLength();
      if (n == 6 && c[o] == 's' && c[o + 1] == 't' && c[o + 2] == 'd') {
        if (c[o + 3] == 'o' && c[o + 4] == 'u' && c[o + 5] == 't') return "stdout";
        if (c[o + 3] == 'e' && c[o + 4] == 'r' && c[o + 5] == 'r') return "stderr";
      }
      return p.getText();
    }

    private static Map<String, String> attrs(JsonParser p, JsonToken v) throws IOException {
      if (v != JsonToken.START_OBJECT) {
        Json.scalarText(p);
        return null;
      }
      Map<String, String> m = new HashMap<>(8);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          m.put(k, Json.MAPPER.readTree(p).toString());
        } else if (t != JsonToken.VALUE_NULL) {
          m.put(k, p.getText());
        }
      }
      return m;
    }

    private DockerLine fail(RejectReason reason, String message) {
      errorReason = reason;
      error = message;
      return null;
    }
  }
}
