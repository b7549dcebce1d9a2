package dev.strata.parse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Reads a chunk's payload as one JSON document (a state file or an export that is one object or array, possibly
 * pretty-printed), whatever the framing. Blank payload: {@link #root} is null and nothing is rejected. A document
 * the collector cut (several chunks, or chunk.truncated_record): record_too_large; not JSON, or trailing values:
 * malformed_json. Problems are rejected on {@code out}, the whole document being the record.
 */
public final class WholeJsonDocument {

  /** The document, or null if blank or rejected. */
  public final JsonNode root;

  /** Payload offsets of the document's first byte and just after its last non-blank byte. */
  public final int start;

  public final int end;

  private WholeJsonDocument(JsonNode root, int start, int end) {
    this.root = root;
    this.start = start;
    this.end = end;
  }

  /**
   * Payload offsets of a one-document artifact's bytes: after white space and a UTF-8 BOM, before trailing white
   * space.
   *
   * @param whole false when there is nothing to read: a blank payload, or a document the collector cut (already
   *     rejected record_too_large)
   */
  public record Span(int start, int end, boolean whole) {}

  /**
   * The span of the payload to read as one document; rejects a document the collector cut (several chunks, or
   * chunk.truncated_record) as record_too_large ("{@code <what>} larger than one chunk; ...").
   */
  public static Span span(ChunkContext ctx, ParseOutput out, String what) {
    byte[] b = ctx.payload();
    int len = ctx.length();
    int start = 0;
    while (start < len && (Json.isWs(b[start]) || (b[start] & 0xff) == 0xEF || (b[start] & 0xff) == 0xBB
        || (b[start] & 0xff) == 0xBF)) {
      start++;
    }
    int end = len;
    while (end > start && Json.isWs(b[end - 1])) end--;
    if (start >= end) return new Span(start, end, false);
    if (ctx.truncatedRecord() || ctx.chunkCount() > 1) {
      out.reject(ctx.rejection(RejectReason.RECORD_TOO_LARGE,
          what + " larger than one chunk; the full bytes are in the evidence store", start, end, 0));
      return new Span(start, end, false);
    }
    return new Span(start, end, true);
  }

  public static WholeJsonDocument read(ChunkContext ctx, ParseOutput out, String what) {
    Span span = span(ctx, out, what);
    int start = span.start();
    int end = span.end();
    if (!span.whole()) return new WholeJsonDocument(null, start, end);
    byte[] b = ctx.payload();
    try (JsonParser p = Json.FACTORY.createParser(b, start, end - start)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "not a JSON object or array", start, end, 0));
        return new WholeJsonDocument(null, start, end);
      }
      JsonNode root = Json.tree(p);
      if (p.nextToken() != null) {
        out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "more than one JSON value", start, end, 0));
        return new WholeJsonDocument(null, start, end);
      }
      return new WholeJsonDocument(root, start, end);
    } catch (JsonProcessingException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage(), start, end,
          0));
    } catch (IOException e) {
      out.reject(ctx.rejection(RejectReason.MALFORMED_JSON, "unreadable JSON: " + e.getMessage(), start, end, 0));
    }
    return new WholeJsonDocument(null, start, end);
  }
}
