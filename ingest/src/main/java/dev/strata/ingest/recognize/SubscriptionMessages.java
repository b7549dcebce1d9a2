package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * CloudWatch Logs subscription messages as a Kinesis Data Firehose delivery to S3 writes them: each Firehose record
 * is one message ({@code {"messageType":"DATA_MESSAGE"|"CONTROL_MESSAGE","owner","logGroup","logStream",
 * "subscriptionFilters","logEvents":[{"id","timestamp","message"}]}}), gzip'd by CloudWatch Logs, and Firehose
 * writes the records back to back: the object is a multi-member gzip of JSON objects with no newline between them.
 * The CONTROL_MESSAGE CloudWatch Logs sends when the subscription is created (its message "CWL CONTROL MESSAGE:
 * Checking health of destination Firehose.") is often the first object; the format is told by the first DATA_MESSAGE.
 */
final class SubscriptionMessages {
  private SubscriptionMessages() {}

  /**
   * The start of the recognition detail of an artifact of back-to-back subscription messages: {@link
   * Recognizers#boundaryScanner} cuts it between the messages ({@link
   * dev.strata.ingest.chunk.JsonValuesBoundaryScanner}), framing LINES (records are root JSON values), so a Firehose
   * object of any size is read message by message instead of as one record cut at max_record_bytes.
   */
  static final String DETAIL = "CloudWatch Logs subscription messages";

  /** The control message's text prefix (CloudWatch Logs' wording). */
  static final String CONTROL_TEXT = "CWL CONTROL MESSAGE";

  /**
   * The first log event's {@code message} of the first DATA_MESSAGE among the sample's root objects, skipping
   * CONTROL_MESSAGEs; null when the sample holds no subscription message (or it is cut before a data message's first
   * event).
   */
  static String firstDataMessage(ContentSample sample) {
    int start = sample.firstSignificant();
    byte[] b = sample.bytes();
    if (start < 0 || b[start] != '{') return null;
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      while (p.nextToken() == JsonToken.START_OBJECT) {
        String type = null;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals("messageType") && v == JsonToken.VALUE_STRING) {
            type = p.getText();
          } else if (name.equals("logEvents") && v == JsonToken.START_ARRAY) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.END_ARRAY) continue;
            String m = first == JsonToken.START_OBJECT ? messageOf(p) : null;
            if (first != JsonToken.START_OBJECT) p.skipChildren();
            // a data message's first event tells the format: the rest of a long batch may be past the sample's end
            if ("DATA_MESSAGE".equals(type) && m != null && !m.startsWith(CONTROL_TEXT)) return m;
            if (message == null) message = m;
            skipRest(p);
          } else {
            p.skipChildren();
          }
        }
        if (type == null) return null; // not a subscription message
        if (type.equals("DATA_MESSAGE") && message != null && !message.startsWith(CONTROL_TEXT)) return message;
      }
      return null;
    } catch (IOException e) {
      return null; // the sample ended inside a value
    }
  }

  /** True when the sample starts with a subscription message (its first field, as CloudWatch Logs writes it). */
  static boolean startsWithOne(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) return false;
    String head = new String(sample.bytes(), start, Math.min(40, sample.bytes().length - start),
        java.nio.charset.StandardCharsets.UTF_8);
    return head.replace(" ", "").startsWith("{\"messageType\":");
  }

  /** Inside a log event object: its message string (the parser after the object), or null. */
  private static String messageOf(JsonParser p) throws IOException {
    String message = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (name.equals("message") && v == JsonToken.VALUE_STRING) message = p.getText();
      else p.skipChildren();
    }
    return message;
  }

  /** Inside an array: skips its remaining elements and its end. */
  private static void skipRest(JsonParser p) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) throw new IOException("cut");
      p.skipChildren();
    }
  }
}
