package dev.strata.parse.formats.dockerlocallog;

import dev.strata.parse.formats.LogMessageReaders;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.EvidenceParser;
import dev.strata.parse.OcsfClass;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.parse.Rejection;
import dev.strata.parse.Timestamps;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.LogLine;
import dev.strata.schema.raw.RawArtifactChunk;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's {@code local} logging driver files ({@code containers/<id>/local-logs/container.log}, rotated
 * {@code .1}, {@code .2}, ... and gzip {@code .N.gz}): frames {@code [uint32 BE length][protobuf LogEntry][uint32 BE
 * length]} (see {@link LogEntry}), collected with LENGTH_PREFIXED framing so chunks hold whole frames.
 *
 * <ul>
 *   <li>One OCSF 0 Base Event per message: message = line (UTF-8, one trailing newline dropped), log.stream =
 *       source, time = time_nano (time_original = the nanoseconds as decimal text), container.uid from the path,
 *       runtime docker; lineage byte_offset / byte_length = the frame (line_number null: the content is binary).
 *   <li>Partial entries (the daemon splits lines over 16 KiB) are joined: pieces with the same
 *       partial_log_metadata.id in ordinal order until the piece marked last (lineage from the first piece's frame
 *       to the end of the last; time from the first piece); partial entries without metadata are joined per source
 *       until the next non-partial entry of that source. A message still open at the end of the chunk is emitted
 *       with log.partial = true. unmapped log.pieces = the number of pieces joined.
 *   <li>A frame whose bytes are not a LogEntry: malformed_record (that frame only). A bad length, a frame running
 *       past the end of the chunk or a trailing length that differs from the leading one: the frames cannot be
 *       found any more, so the rest of the chunk is one malformed_record dead letter with the offset (record_too_large
 *       when the collector cut it).
 * </ul>
 */
public final class DockerLocalLogParser implements EvidenceParser {

  public static final String FORMAT = "docker_local_log";
  static final long MAX_FRAME = 16L << 20;
  private static final Pattern PATH_ID = Pattern.compile("(?:^|/)([0-9a-f]{64})/local-logs/[^/]+$");

  @Override
  public String format() {
    return FORMAT;
  }


  static String containerId(String origin) {
    if (origin == null) return null;
    Matcher m = PATH_ID.matcher(origin);
    return m.find() ? m.group(1) : null;
  }

  @Override
  public void parse(RawArtifactChunk chunk, ParseOutput out) throws ParseException {
    new Run(ChunkContext.of(chunk), out).run();
  }

  /** A message being joined from partial pieces. */
  private static final class Pending {
    final LogEntry first;
    final int start;
    int end;
    final long ordinal;
    final ByteArrayOutputStream text = new ByteArrayOutputStream();
    int pieces;
    int lastOrdinal;
    boolean outOfOrder;

    Pending(LogEntry first, int start, long ordinal) {
      this.first = first;
      this.start = start;
      this.ordinal = ordinal;
    }
  }

  private static final class Run {
    /** the application line readers of this chunk (the package script reader remembers npm's banner) */
    private final LogMessageReaders.Session readers = LogMessageReaders.session();
    final ChunkContext ctx;
    final ParseOutput out;
    final byte[] b;
    final String cid;
    final Map<String, Pending> pending = new LinkedHashMap<>();

    Run(ChunkContext ctx, ParseOutput out) {
      this.ctx = ctx;
      this.out = out;
      this.b = ctx.payload();
      this.cid = containerId(ctx.origin());
    }

    void run() {
      int n = b.length;
      if (blank()) return;
      int pos = 0;
      long ord = 0;
      while (pos < n) {
        if (n - pos < 4) {
          rest(pos, ord, "truncated frame: " + (n - pos) + " bytes where a 4-byte length is expected");
          break;
        }
        long len = u32(pos);
        if (len > MAX_FRAME) {
          rest(pos, ord, "bad frame length " + len + " (over " + MAX_FRAME + ")");
          break;
        }
        long frameEnd = pos + 8 + len;
        if (frameEnd > n) {
          rest(pos, ord, "truncated frame: length " + len + " runs past the end of the chunk");
          break;
        }
        long trail = u32((int) (pos + 4 + len));
        if (trail != len) {
          rest(pos, ord, "trailing frame length " + trail + " differs from the leading " + len);
          break;
        }
        frame(pos, (int) frameEnd, pos + 4, (int) (pos + 4 + len), ord++);
        pos = (int) frameEnd;
      }
      for (Pending p : pending.values()) emit(p, true);
      pending.clear();
    }

    /** Whitespace-only payload: nothing (a blank chunk of any format). */
    private boolean blank() {
      for (byte x : b) {
        if (x != ' ' && x != '\n' && x != '\r' && x != '\t') return false;
      }
      return true;
    }

    private long u32(int at) {
      return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    /** The frames cannot be followed past {@code pos}: one dead letter for the rest of the chunk. */
    private void rest(int pos, long ord, String why) {
      boolean cut = ctx.truncatedRecord();
      RejectReason r = cut ? RejectReason.RECORD_TOO_LARGE : RejectReason.MALFORMED_RECORD;
      String msg = cut ? "frame cut by the collector at its max record size (full bytes in the evidence store): " + why
          : why + "; the frames cannot be resynchronized, the rest of the chunk (" + (b.length - pos)
              + " bytes from content offset " + ctx.contentOffset(pos) + ") is rejected";
      out.reject(new Rejection(r, msg, ctx.contentOffset(pos), null, ctx.recordIndex(ord),
          Arrays.copyOfRange(b, pos, b.length), cut));
    }

    private void frame(int start, int end, int ps, int pe, long ord) {
      LogEntry e;
      try {
        e = LogEntry.decode(b, ps, pe);
      } catch (LogEntry.BadEntry x) {
        out.reject(new Rejection(RejectReason.MALFORMED_RECORD, "frame is not a LogEntry: " + x.getMessage(),
            ctx.contentOffset(start), null, ctx.recordIndex(ord), Arrays.copyOfRange(b, start, end)));
        return;
      }
      String src = e.source == null ? "" : e.source;
      if (e.partial) {
        String key = e.hasMeta && e.partialId != null && !e.partialId.isEmpty() ? "id:" + e.partialId : "src:" + src;
        Pending p = pending.get(key);
        if (p == null) {
          p = new Pending(e, start, ord);
          pending.put(key, p);
        } else if (e.hasMeta && e.ordinal != 0 && e.ordinal <= p.lastOrdinal) {
          p.outOfOrder = true;
        }
        p.text.write(b, e.lineStart, e.lineEnd - e.lineStart);
        p.pieces++;
        p.lastOrdinal = e.ordinal;
        p.end = end;
        if (e.hasMeta && e.last) {
          pending.remove(key);
          emit(p, false);
        }
        return;
      }
      Pending p = pending.remove("src:" + src);
      if (p != null) {
        // partial pieces without metadata end with the next whole entry of their stream
        p.text.write(b, e.lineStart, e.lineEnd - e.lineStart);
        p.pieces++;
        p.end = end;
        emit(p, false);
        return;
      }
      Pending one = new Pending(e, start, ord);
      one.text.write(b, e.lineStart, e.lineEnd - e.lineStart);
      one.pieces = 1;
      one.end = end;
      emit(one, false);
    }

    private void emit(Pending p, boolean open) {
      LogEntry f = p.first;
      EvidenceEvent ev = ctx.newEvent(OcsfClass.BASE_EVENT, 0, null, p.start, p.end, 0, p.ordinal, 0,
          new HashMap<>(4));
      ev.getLineage().setLineNumber(null);
      byte[] t = p.text.toByteArray();
      int len = t.length;
      if (len > 0 && t[len - 1] == '\n') len--;
      ev.setMessage(new String(t, 0, len, StandardCharsets.UTF_8));
      String stream = f.source == null || f.source.isEmpty() ? null : f.source;
      ev.setLog(new LogLine(stream, open, new HashMap<>(0)));
      if (f.hasTime) {
        ev.setTimeOriginal(Long.toString(f.timeNano));
        ev.setTime(Timestamps.toInstant(Math.floorDiv(f.timeNano, 1000L)));
      } else {
        dev.strata.parse.Events.warn(ev, "LogEntry without time_nano; time = observed_time");
      }
      if (cid != null) {
        Container c = new Container();
        c.setUid(cid);
        c.setRuntime("docker");
        ev.setContainer(c);
      }
      if (p.pieces > 1) ev.getUnmapped().put("log.pieces", Integer.toString(p.pieces));
      if (f.hasMeta && f.partialId != null) ev.getUnmapped().put("log.partial_id", f.partialId);
      if (p.outOfOrder) dev.strata.parse.Events.warn(ev, "partial pieces out of ordinal order; joined as found");
      if (open) {
        dev.strata.parse.Events.warn(ev, "message still partial at the end of the chunk (no last piece)");
      } else {
        readers.read(ev.getMessage(), ev);
      }
      out.emit(ev);
    }
  }
}
