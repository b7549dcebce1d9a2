package dev.strata.sink.opensearch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The parts of a {@code _bulk} response the sink needs, read with a streaming parser: {@code errors}, and when it
 * is true each item's status and error (items come in request order). Requests ask for
 * {@code filter_path=errors,items.*.status,items.*.error} so successful items are a few bytes each.
 */
final class BulkResponse {
  static final String FILTER_PATH = "errors,items.*.status,items.*.error";

  final boolean errors;
  /** Per item, null when indexed. Only filled when {@link #errors}. */
  final ItemFailure[] failures;

  private BulkResponse(boolean errors, ItemFailure[] failures) {
    this.errors = errors;
    this.failures = failures;
  }

  static BulkResponse parse(byte[] body, int items) throws IOException {
    try (JsonParser p = Json.FACTORY.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      boolean errors = false;
      ItemFailure[] failures = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("errors".equals(name)) {
          errors = t == JsonToken.VALUE_TRUE;
          if (!errors) {
            return new BulkResponse(false, null);
          }
        } else if ("items".equals(name) && t == JsonToken.START_ARRAY) {
          failures = new ItemFailure[items];
          int i = 0;
          while (p.nextToken() == JsonToken.START_OBJECT) {
            if (i >= items) {
              throw new IOException("_bulk response has more items than the request (" + items + ")");
            }
            failures[i++] = item(p);
          }
          if (i != items) {
            throw new IOException("_bulk response has " + i + " items, the request " + items);
          }
        } else {
          p.skipChildren();
        }
      }
      if (errors && failures == null) {
        throw new IOException("_bulk response says errors=true but has no items");
      }
      return new BulkResponse(errors, failures);
    }
  }

  /** One {@code {"index":{"status":..,"error":{..}}}}; the parser is on its START_OBJECT; returns null on success. */
  private static ItemFailure item(JsonParser p) throws IOException {
    ItemFailure failure = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) { // the op name: index, create, ...
      expect(p.nextToken(), JsonToken.START_OBJECT);
      int status = 0;
      String type = null;
      String reason = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if ("status".equals(name)) {
          status = p.getIntValue();
        } else if ("error".equals(name)) {
          if (t == JsonToken.START_OBJECT) {
            String[] e = error(p);
            type = e[0];
            reason = e[1];
          } else {
            reason = p.getValueAsString();
            p.skipChildren();
          }
        } else {
          p.skipChildren();
        }
      }
      if (status >= 300 || type != null) {
        failure = new ItemFailure(status, type == null ? "unknown" : type, reason == null ? "" : reason);
      }
    }
    return failure;
  }

  /** type and reason (plus caused_by's) of an error object; the parser is on its START_OBJECT. */
  private static String[] error(JsonParser p) throws IOException {
    String type = null;
    String reason = null;
    String cause = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if ("type".equals(name)) {
        type = p.getValueAsString();
      } else if ("reason".equals(name)) {
        reason = p.getValueAsString();
      } else if ("caused_by".equals(name) && t == JsonToken.START_OBJECT) {
        String[] c = error(p);
        cause = c[0] + (c[1] == null ? "" : ": " + c[1]);
      } else {
        p.skipChildren();
      }
    }
    String r = reason == null ? "" : reason;
    if (cause != null) {
      r = r + " (caused by " + cause + ")";
    }
    return new String[] {type, r};
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("unexpected _bulk response: " + actual + " where " + expected + " was expected");
    }
  }
}
