package dev.strata.ingest.recognize;

import java.util.regex.Pattern;

/**
 * {@code falco_alert}: Falco JSON alerts ({@code json_output: true} file/stdout output, and the same object as posted
 * by Falco's HTTP output / Falcosidekick).
 *
 * <p>Path: {@code **}{@code /falco*.json*}, {@code **}{@code /falco/*.log*}. Content: the first line is a JSON object
 * with {@code rule}, {@code priority} and {@code output}, and {@code output_fields} or {@code time} (framing LINES,
 * one alert per line); a single pretty-printed alert object is WHOLE. The text output form is not recognized.
 */
public final class FalcoAlertRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "falco_alert";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:falco[^/]*\\.json[^/]*|falco/[^/]*\\.log[^/]*)");

  public FalcoAlertRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("Falco alert", FalcoAlertRecognizer::isAlert, FalcoAlertRecognizer::contradicts);

  @Override
  public ContentMatch probe(ContentSample sample) {
    return PROBE.probe(sample);
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
