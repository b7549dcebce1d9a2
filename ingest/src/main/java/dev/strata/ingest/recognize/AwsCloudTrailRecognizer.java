package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code aws_cloudtrail}: AWS CloudTrail log files.
 *
 * <p>Path: {@code **}{@code /AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json[.gz]}, or the organization-trail
 * form {@code AWSLogs/<o-id>/<account>/CloudTrail/...}; Insights events ("Delivery of Insights events": the trail's
 * {@code CloudTrail-Insight} folder, records with eventType AwsCloudTrailInsight and insightDetails instead of
 * eventSource / eventName) the same; the layout gives cloud_provider=aws, cloud_account and
 * cloud_region. Content: {@code {"Records":[...]}} or a bare array whose first element has {@code eventVersion} and
 * {@code eventSource}/{@code eventName} (framing JSON_RECORDS); or JSON lines of such records, or of
 * {@code lookup-events} output ({@code EventName} + {@code CloudTrailEvent}), of EventBridge "AWS API Call via
 * CloudTrail" events, of CloudWatch Logs log events whose {@code message} is a record, of Lake events
 * ({@code eventData} / {@code eventJson}) (framing LINES); a single pretty-printed record or wrapper is WHOLE; CloudWatch
 * Logs exports {@code {"events":[...]}} / Firehose {@code {"logEvents":[...]}} and Lake query results
 * ({@code QueryResultRows}) are WHOLE (the JSON_RECORDS scanner only cuts Records / items arrays). CloudWatch Logs
 * exports to S3 ({@code <prefix>/<task>/<account>_CloudTrail_<region>/000000.gz}, lines of {@code <timestamp>
 * <record>}) are LINES; their path gives account and region.
 */
public final class AwsCloudTrailRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "aws_cloudtrail";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)AWSLogs/(?:o-[a-z0-9]{4,32}/)?(\\d{12})/CloudTrail(?:-Insight)?/([a-z0-9-]+)/\\d{4}/\\d{2}/\\d{2}/[^/]+"
              + "\\.json(?:\\.gz)?");

  /** CloudWatch Logs export to S3: {@code <prefix>/<task>/<account>_CloudTrail_<region>/000000.gz}. */
  private static final Pattern EXPORT_PATH =
      Pattern.compile("(?:^|.*/)(\\d{12})_CloudTrail_([a-z0-9-]+)/\\d{6}(?:\\.gz)?");

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    Matcher m = PATH.matcher(relPath);
    if (!m.matches()) {
      m = EXPORT_PATH.matcher(relPath);
      if (!m.matches()) {
        return Optional.empty();
      }
    }
    return Optional.of(new ContextValues(null, null, "aws", m.group(1), m.group(2)));
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    if (b[start] == '[') {
      return array(b, start);
    }
    if (b[start] != '{') {
      return exportLines(sample);
    }
    return object(sample, start);
  }

  /** A CloudWatch Logs export to S3 of a CloudTrail log group: {@code <timestamp> <record>} lines. */
  private static ContentMatch exportLines(ContentSample sample) {
    JsonSniff.FirstLine first = JsonSniff.firstExportLineObject(sample);
    if (first.none() != null) {
      return ContentMatch.none("not JSON (" + first.none().detail() + ")");
    }
    if (isRecord(first.obj())) {
      return ContentMatch.strong(Framing.LINES, "CloudWatch Logs export to S3 of CloudTrail records");
    }
    return ContentMatch.none("CloudWatch Logs export lines, but not of CloudTrail records");
  }

  private static ContentMatch array(byte[] b, int start) {
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // [
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        return ContentMatch.weak(Framing.JSON_RECORDS, "empty JSON array");
      }
      if (t != JsonToken.START_OBJECT) {
        return ContentMatch.none("JSON array of non-objects");
      }
      return record(JsonSniff.readObject(p, start), Framing.JSON_RECORDS, "JSON array of CloudTrail records");
    } catch (IOException e) {
      return t(e);
    }
  }

  private static ContentMatch object(ContentSample sample, int start) {
    byte[] b = sample.bytes();
    if (SubscriptionMessages.startsWithOne(sample)) {
      // CloudWatch Logs subscription messages (CloudTrail's log group subscribed to Firehose: back to back in S3, a
      // CONTROL_MESSAGE first): cut between the messages, as the audit log's and the flow logs' (firehose scenario)
      String message = SubscriptionMessages.firstDataMessage(sample);
      if (message != null && innerRecord(message)) {
        return ContentMatch.strong(Framing.LINES, SubscriptionMessages.DETAIL + " of CloudTrail records");
      }
    }
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // {
      JsonToken t = p.nextToken();
      while (t == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null) {
          break;
        }
        if (name.equals("Records") && v == JsonToken.START_ARRAY) {
          JsonToken e = p.nextToken();
          if (e == JsonToken.END_ARRAY) {
            return ContentMatch.weak(Framing.JSON_RECORDS, "{\"Records\":[]} without records");
          }
          if (e != JsonToken.START_OBJECT) {
            return ContentMatch.none("Records is not an array of objects");
          }
          Framing framing = Framing.JSON_RECORDS;
          JsonSniff.Obj first = JsonSniff.readObject(p, start);
          if (first.complete() && documentEndsOnFirstLine(p, b, start)) {
            framing = Framing.LINES; // several {"Records":[...]} documents, one per line
          }
          return record(first, framing, "{\"Records\":[...]} of CloudTrail records");
        }
        if (name.equals("QueryResultRows") && v == JsonToken.START_ARRAY) {
          return ContentMatch.strong(Framing.WHOLE, "CloudTrail Lake query results");
        }
        if ((name.equals("logEvents") || name.equals("events")) && v == JsonToken.START_ARRAY
            && p.nextToken() == JsonToken.START_OBJECT) {
          JsonSniff.Obj first = JsonSniff.readObject(p, start);
          if (innerRecord(first.get("message"))) {
            return ContentMatch.strong(Framing.WHOLE, "CloudWatch Logs export of CloudTrail records (" + name + ")");
          }
          break;
        }
        if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          break; // not a Records document: look at it as one record below
        }
        t = p.nextToken();
      }
    } catch (IOException e) {
      // fall through: look at it as a record
    }
    // JSON lines of records, or a single record
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 1);
    JsonSniff.Line l = lines.get(0);
    JsonSniff.Obj line = JsonSniff.object(b, l.offset(), l.length());
    if (line.valid() && line.complete()) {
      if (isRecord(line)) {
        return ContentMatch.strong(Framing.LINES, "JSON lines of CloudTrail records");
      }
      if (line.has("CloudTrailEvent") && (line.has("EventName") || line.has("EventSource"))) {
        return ContentMatch.strong(Framing.LINES, "JSON lines of CloudTrail lookup-events output");
      }
      String w = wrapper(line);
      if (w != null) {
        return ContentMatch.strong(Framing.LINES, "JSON lines of " + w);
      }
      return ContentMatch.none("first line is not a CloudTrail record");
    }
    JsonSniff.Obj whole = JsonSniff.object(b, start, b.length - start);
    String w = whole.valid() && whole.complete() ? wrapper(whole) : null;
    if (w != null) {
      return ContentMatch.strong(Framing.WHOLE, "a single " + w);
    }
    if (whole.valid() && isRecord(whole)) {
      return whole.complete()
          ? ContentMatch.strong(Framing.WHOLE, "a single CloudTrail record")
          : ContentMatch.weak(Framing.WHOLE, "a single CloudTrail record longer than the sample");
    }
    return ContentMatch.none("not a CloudTrail document");
  }

  /** After the first record of a Records document: does the whole document end before the first newline? */
  private static boolean documentEndsOnFirstLine(JsonParser p, byte[] b, int start) {
    int depth = 2; // inside the object and the array
    try {
      while (depth > 0) {
        JsonToken t = p.nextToken();
        if (t == null) {
          return false;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
      }
    } catch (IOException e) {
      return false; // the document goes on beyond the sample (or is broken later): one document
    }
    long end = start + p.currentLocation().getByteOffset();
    for (int i = start; i < end && i < b.length; i++) {
      if (b[i] == '\n') {
        return false;
      }
    }
    for (long i = end; i < b.length; i++) {
      byte c = b[(int) i];
      if (c == '{') {
        return true;
      }
      if (!(c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        return false;
      }
    }
    return false;
  }

  private static ContentMatch record(JsonSniff.Obj o, Framing framing, String what) {
    if (isRecord(o)) {
      return ContentMatch.strong(framing, what);
    }
    if (!o.complete() && o.valid() && !contradicts(o)) {
      return ContentMatch.weak(framing, what + " (first record longer than the sample)");
    }
    return ContentMatch.none("first record has no eventVersion/eventSource/eventName");
  }

  /**
   * A CloudTrail record inside a wrapper: an EventBridge "AWS API Call via CloudTrail" event (the record in
   * {@code detail}), a CloudWatch Logs log event (the record as the {@code message} string), a CloudTrail Lake
   * event ({@code eventData} / {@code eventJson} string). Returns what it is, or null.
   */
  static String wrapper(JsonSniff.Obj o) {
    String dt = o.get("detail-type");
    if (dt != null && dt.contains("CloudTrail") && o.has("detail")) {
      return "EventBridge CloudTrail events";
    }
    if (innerRecord(o.get("message"))) {
      return "CloudWatch Logs events holding CloudTrail records";
    }
    if (innerRecord(o.get("eventData")) || innerRecord(o.get("eventJson"))) {
      return "CloudTrail Lake events";
    }
    return null;
  }

  /** A JSON text (a wrapper's string field) that is a CloudTrail record. */
  static boolean innerRecord(String json) {
    if (json == null || json.isEmpty() || json.charAt(0) != '{') {
      return false;
    }
    JsonSniff.Obj inner = JsonSniff.object(json);
    return inner.valid() && isRecord(inner);
  }

  static boolean isRecord(JsonSniff.Obj o) {
    boolean version = o.get("eventVersion") != null;
    boolean source = o.get("eventSource") != null;
    boolean name = o.get("eventName") != null;
    boolean insight = o.has("insightDetails") || "AwsCloudTrailInsight".equals(o.get("eventType"));
    return (version && (source || name || insight)) || (source && name);
  }

  private static boolean contradicts(JsonSniff.Obj o) {
    return o.fields().size() > 40;
  }

  private static ContentMatch t(IOException e) {
    return ContentMatch.none("not JSON: " + e.getClass().getSimpleName());
  }
}
