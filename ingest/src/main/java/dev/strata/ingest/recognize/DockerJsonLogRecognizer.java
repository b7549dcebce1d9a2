package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code docker_json_log}: Docker's json-file logging driver.
 *
 * <p>Path: {@code **}{@code /containers/<64 hex>/<64 hex>-json.log}, rotated {@code .1}, {@code .2}, ... and
 * {@code .gz}. Content: JSON lines whose first object has a string {@code "log"} and a {@code "stream"} or
 * {@code "time"} field; also as a CloudWatch Logs export to S3 writes them ({@code <timestamp> <record>} lines: a
 * log shipper's records, e.g. Fluent Bit on EKS Fargate with its {@code kubernetes} block). Framing: LINES.
 */
public final class DockerJsonLogRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_json_log";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)containers/[0-9a-f]{64}/[0-9a-f]{64}-json\\.log(?:\\.\\d+)?(?:\\.gz)?");

  public DockerJsonLogRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.FirstLine first = JsonSniff.firstLineObject(sample);
    if (first.none() != null) {
      // a CloudWatch Logs export task's object of a log shipper's records (Fluent Bit / FireLens to CloudWatch Logs:
      // <task>/<stream>/000000.gz, lines of <timestamp> <record>)
      JsonSniff.FirstLine export = JsonSniff.firstExportLineObject(sample);
      if (export.none() == null && isLogRecord(export.obj())) {
        return ContentMatch.strong(Framing.LINES, "CloudWatch Logs export to S3 of a log shipper's records (log, stream/time)");
      }
      return first.none();
    }
    JsonSniff.Obj o = first.obj();
    boolean log = isLogLine(o);
    if (log && (o.has("stream") || o.has("time"))) {
      return ContentMatch.strong(Framing.LINES, "JSON lines with log and stream/time");
    }
    if (!o.complete() && (o.fields().isEmpty() || (log && o.fields().size() == 1))) {
      return ContentMatch.weak(Framing.LINES, "first line longer than the sample, starts like a docker log line");
    }
    return ContentMatch.none("first line has no log + stream/time fields");
  }

  private static boolean isLogLine(JsonSniff.Obj o) {
    return o.has("log") && !JsonSniff.NESTED.equals(o.fields().get("log"));
  }

  private static boolean isLogRecord(JsonSniff.Obj o) {
    return isLogLine(o) && (o.has("stream") || o.has("time"));
  }
}
