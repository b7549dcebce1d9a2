package dev.strata.parse.formats.awscloudtrail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.ChunkContext;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordStream.RecordException;
import dev.strata.parse.JsonRecordStream.RecordSpan;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.parse.ParseException;
import dev.strata.parse.ParseOutput;
import dev.strata.parse.RejectReason;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;

/**
 * CloudTrail Lake {@code get-query-results} output: {@code {"QueryStatus":..,"QueryStatistics":..,"QueryResultRows":[
 * [{"eventID":".."},{"eventTime":".."},{"userIdentity.arn":".."},...], ...]}}. Each row is one record: its one-field
 * cells are fed to the {@link CloudTrailMapper} as the record's fields (an {@code eventJson} cell is the whole record
 * as a string; column names like {@code userIdentity.arn} keep their dotted key). Lake writes times as
 * {@code 2024-07-01 10:15:00.000} (UTC, no offset: read as UTC, warned). Document fields other than the rows
 * (QueryStatus, QueryStatistics) describe the query, not a record, and are left out. A row that
 * is not an array of objects is rejected (malformed_json); invalid JSON rejects the rest of the chunk.
 */
final class LakeQueryResults {

  private final ChunkContext ctx;
  private final CloudTrailMapper mapper;
  private final ParseOutput out;
  private long ordinal;

  LakeQueryResults(ChunkContext ctx, CloudTrailMapper mapper, ParseOutput out) {
    this.ctx = ctx;
    this.mapper = mapper;
    this.out = out;
  }

  void run() throws ParseException {
    byte[] buf = ctx.payload();
    Source src = new Source(buf, 0);
    int rowStart = 0;
    try (JsonParser p = Json.utf8Parser(buf, 0, buf.length)) {
      if (p == null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not UTF-8 JSON", 0, buf.length, ordinal++));
        return;
      }
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.START_OBJECT) {
          rowStart = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "root value is not a Lake query result object",
              rowStart, (int) p.currentLocation().getByteOffset(), ordinal++));
          continue;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (!name.equals("QueryResultRows") || v != JsonToken.START_ARRAY) {
            p.skipChildren();
            continue;
          }
          while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            rowStart = (int) p.currentTokenLocation().getByteOffset();
            if (v != JsonToken.START_ARRAY) {
              p.skipChildren();
              out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "a QueryResultRows row is not an array",
                  rowStart, (int) p.currentLocation().getByteOffset(), ordinal++));
              continue;
            }
            row(p, src, rowStart);
          }
        }
      }
    } catch (JsonProcessingException e) {
      out.reject(ctx.rejection(ctx.truncatedRecord() ? RejectReason.RECORD_TOO_LARGE : RejectReason.MALFORMED_JSON,
          "invalid JSON in Lake query results, rest of chunk not parsed: " + e.getOriginalMessage(), rowStart,
          buf.length, ordinal++));
    } catch (IOException e) {
      throw new ParseException(RejectReason.PARSER_ERROR, "I/O error on an in-memory buffer: " + e, e);
    }
  }

  private void row(JsonParser p, Source src, int start) throws IOException {
    mapper.begin();
    boolean bad = false;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.START_OBJECT) {
        JsonRecordStream.readFields(p, mapper, src);
      } else {
        p.skipChildren();
        bad = true;
      }
    }
    int end = (int) p.currentLocation().getByteOffset();
    long ord = ordinal++;
    if (bad) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "a QueryResultRows cell is not an object", start, end,
          ord));
      return;
    }
    try {
      EvidenceEvent e = mapper.end(new RecordSpan(start, end, ctx.lineAt(start), ord));
      if (e != null) out.emit(e);
    } catch (RecordException ex) {
      out.reject(ctx.rejection(ex.reason(), ex.getMessage(), start, end, ord));
    } catch (RuntimeException ex) {
      out.reject(ctx.rejection(RejectReason.PARSER_ERROR, "parser bug on this row: " + ex, start, end, ord));
    }
  }
}
