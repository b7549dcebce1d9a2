package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code falco_alert}: Falco JSON alerts ({@code json_output: true} file/stdout output, and the same object as posted
 * by Falco's HTTP output / Falcosidekick).
 *
 * <p>Path: {@code **}{@code /falco*.json*}, {@code **}{@code /falco/*.log*}. Content: the first line is a JSON object
 * with {@code rule}, {@code priority} and {@code output}, and {@code output_fields} or {@code time} (framing LINES,
 * one alert per line); a single pretty-printed alert object is WHOLE. The text output form is not recognized.
 */
public final class FalcoAlertRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "falco_alert";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:falco[^/]*\\.json[^/]*|falco/[^/]*\\.log[^/]*)");

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return PATH.matcher(relPath).matches() ? Optional.of(ContextValues.EMPTY) : Optional.empty();
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    List<JsonSniff.Line> lines = JsonSniff.lines(sample, 1);
    if (lines.isEmpty()) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    JsonSniff.Line l = lines.get(0);
    JsonSniff.Obj o = JsonSniff.object(b, l.offset(), l.length());
    if (!o.valid()) {
      return ContentMatch.none("first line is not a JSON object");
    }
    if (isAlert(o)) {
      return ContentMatch.strong(Framing.LINES, "JSON lines of Falco alerts");
    }
    if (o.complete()) {
      return ContentMatch.none("first line is not a Falco alert (rule, priority, output)");
    }
    if (l.complete() && l.length() < b.length - l.offset()) {
      // the object runs over several lines: one pretty-printed alert (e.g. an HTTP output body)
      JsonSniff.Obj whole = JsonSniff.object(b, l.offset(), b.length - l.offset());
      if (whole.valid() && isAlert(whole)) {
        return whole.complete()
            ? ContentMatch.strong(Framing.WHOLE, "a single pretty-printed Falco alert")
            : ContentMatch.weak(Framing.WHOLE, "a single Falco alert longer than the sample");
      }
      if (whole.valid() && !whole.complete() && !contradicts(whole)) {
        return ContentMatch.weak(Framing.WHOLE, "a JSON object longer than the sample, consistent with a Falco alert");
      }
      return ContentMatch.none("not a Falco alert");
    }
    if (!contradicts(o)) {
      return ContentMatch.weak(Framing.LINES, "first line longer than the sample, consistent with a Falco alert");
    }
    return ContentMatch.none("first line is not a Falco alert");
  }

  static boolean isAlert(JsonSniff.Obj o) {
    return o.get("rule") != null && o.get("priority") != null && o.get("output") != null
        && (o.has("output_fields") || o.get("time") != null);
  }

  /** Fields seen so far that a Falco alert does not have. */
  private static boolean contradicts(JsonSniff.Obj o) {
    for (String k : o.fields().keySet()) {
      switch (k) {
        case "time", "rule", "priority", "output", "output_fields", "tags", "source", "hostname", "uuid" -> {}
        default -> {
          return true;
        }
      }
    }
    return false;
  }
}
