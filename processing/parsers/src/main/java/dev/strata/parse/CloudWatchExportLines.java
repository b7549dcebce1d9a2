package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordMapper;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * CloudWatch Logs "export to Amazon S3" objects of a JSON log group (CloudTrail delivered to CloudWatch Logs, EKS
 * control-plane audit logs): one log event per line, {@code <timestamp> <message>}, the timestamp ISO-8601 UTC with
 * milliseconds ({@code 2024-05-01T10:15:00.123Z}, as the export writes it; a 13-digit epoch-millis value is accepted
 * too) and the message the JSON record (see AWS "Exporting log data to Amazon S3": the objects
 * {@code <prefix>/<export-task-id>/<log-stream-name>/000000.gz}).
 *
 * <p>Each line's JSON object is fed to the format's {@link RecordMapper} field by field, as a JSON line would be; the
 * event's span (raw_data, lineage offset) is the whole line, timestamp included. A line without the timestamp prefix
 * is read as a plain JSON line (a chunk may mix them), a line whose message is not one JSON object is rejected
 * (malformed_json, that line only), and the line a collector cut at its max record size is rejected as
 * record_too_large.
 */
public final class CloudWatchExportLines {
  private static final int MAX_PROBE_LINES = 8;

  private final ChunkContext ctx;
  private final RecordMapper mapper;
  private final ParseOutput out;
  private long ordinal;

  public CloudWatchExportLines(ChunkContext ctx, RecordMapper mapper, ParseOutput out) {
    this.ctx = ctx;
    this.mapper = mapper;
    this.out = out;
  }

  /**
   * True when the first non-blank line of the payload (after a UTF-8 BOM) starts with a CloudWatch export timestamp
   * followed by a blank and '{'. Chunks after a file's first are judged by their own first line.
   */
  public static boolean startsLikeExport(ByteBuffer payload) {
    if (payload == null) return false;
    int i = payload.position();
    int limit = Math.min(payload.limit(), i + 64 * 1024);
    if (limit - i >= 3 && payload.get(i) == (byte) 0xEF && payload.get(i + 1) == (byte) 0xBB
        && payload.get(i + 2) == (byte) 0xBF) {
      i += 3;
    }
    for (int lines = 0; i < limit && lines < MAX_PROBE_LINES; lines++) {
      while (i < limit && Json.isWs(payload.get(i))) i++;
      if (i >= limit) return false;
      int e = i;
      while (e < limit && payload.get(e) != '\n') e++;
      byte[] line = new byte[e - i];
      payload.get(i, line);
      int json = messageStart(line, 0, line.length);
      if (json >= 0 && json < line.length && line[json] == '{') return true;
      if (line[0] == '{') continue; // a plain JSON line: look further
      return false;
    }
    return false;
  }

  /**
   * Where the message starts after a leading CloudWatch export timestamp and its blank in [s, e), or -1 when the
   * line does not start with one.
   */
  public static int messageStart(byte[] b, int s, int e) {
    int t = s;
    while (t < e && b[t] != ' ' && b[t] != '\t') t++;
    if (t >= e || !isTimestamp(b, s, t)) return -1;
    while (t < e && (b[t] == ' ' || b[t] == '\t')) t++;
    return t;
  }

  private static boolean isTimestamp(byte[] b, int s, int e) {
    int n = e - s;
    if (n >= 20 && digit(b[s]) && digit(b[s + 3]) && b[s + 4] == '-' && b[s + 7] == '-' && b[s + 10] == 'T'
        && b[s + 13] == ':' && (b[e - 1] == 'Z' || digit(b[e - 1]))) {
      return true;
    }
    if (n != 13) return false;
    for (int k = s; k < e; k++) if (!digit(b[k])) return false;
    return true;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** Reads every line of the chunk. */
  public void run() throws ParseException {
    byte[] buf = ctx.payload();
    int lastContent = Bytes.lastContentLineStart(buf);
    int pos = 0;
    long line = ctx.lineAt(0);
    while (pos < buf.length) {
      int nl = Bytes.indexOfNewline(buf, pos, buf.length);
      int end = nl < 0 ? buf.length : nl;
      int s = pos;
      while (s < end && Json.isWs(buf[s])) s++;
      int e = end;
      while (e > s && Json.isWs(buf[e - 1])) e--;
      if (s < e) {
        if (ctx.truncatedRecord() && s == lastContent) {
          out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
              "line cut by the collector at its max record size (full bytes in the evidence store)", s,
              buf.length, ordinal++));
          return;
        }
        ctx.markLine(s, line);
        line(buf, s, e, line);
      }
      if (nl < 0) break;
      line++;
      pos = nl + 1;
    }
  }

  private void line(byte[] buf, int s, int e, long lineNo) throws ParseException {
    int json = messageStart(buf, s, e);
    if (json < 0) json = s;
    long ord = ordinal++;
    if (buf[json] != '{') {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON,
          "not a CloudWatch Logs export line with a JSON object message (<timestamp> {...})", s, e, lineNo, ord));
      return;
    }
    Source src = new Source(buf, json);
    try (JsonParser p = Json.utf8Parser(buf, json, e - json)) {
      if (p == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not UTF-8 JSON", s, e, lineNo, ord));
        return;
      }
      p.nextToken(); // {
      mapper.begin();
      JsonRecordStream.readFields(p, mapper, src);
      if (p.nextToken() != null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "text after the JSON message", s, e, lineNo, ord));
        return;
      }
    } catch (JsonProcessingException ex) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "invalid JSON message: " + ex.getOriginalMessage(), s, e,
          ord));
      return;
    } catch (IOException ex) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + ex, ex);
    }
    try {
      EvidenceEvent ev = mapper.end(new RecordSpan(s, e, lineNo, ord));
      if (ev != null) out.emit(ev);
    } catch (RecordException ex) {
      out.reject(ctx.rejection(ex.reason(), ex.getMessage(), s, e, lineNo, ord));
    } catch (RuntimeException ex) {
      out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this line: " + ex, s, e, lineNo, ord));
    }
  }
}
