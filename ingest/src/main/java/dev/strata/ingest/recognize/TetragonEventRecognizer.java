package dev.strata.ingest.recognize;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code tetragon_event}: Cilium Tetragon JSON events ({@code tetra getevents -o json}, the JSON export file; protobuf
 * JSON names of {@code GetEventsResponse}).
 *
 * <p>Path: {@code **}{@code /tetragon*.log*}, {@code **}{@code /tetragon/*.json*}, {@code **}{@code /tetragon*.json*}.
 * Content: the first line is a JSON object with a nested {@code process_*} event object ({@code process_exec},
 * {@code process_exit}, {@code process_kprobe}, ...; or {@code rate_limit_info}) and {@code time} or {@code node_name},
 * its other fields only those of {@code GetEventsResponse} (cluster_name, node_labels, aggregation_info) (framing
 * LINES, one event per line); a single pretty-printed event object is WHOLE.
 */
public final class TetragonEventRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "tetragon_event";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:tetragon[^/]*\\.log[^/]*|tetragon/[^/]*\\.json[^/]*|tetragon[^/]*\\.json[^/]*)");

  public TetragonEventRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("Tetragon event", TetragonEventRecognizer::isEvent, TetragonEventRecognizer::contradicts);

  @Override
  public ContentMatch probe(ContentSample sample) {
    return PROBE.probe(sample);
  }

  static boolean isEvent(JsonSniff.Obj o) {
    if (o.get("time") == null && o.get("node_name") == null) {
      return false;
    }
    for (Map.Entry<String, String> f : o.fields().entrySet()) {
      String k = f.getKey();
      if ((k.startsWith("process_") || k.equals("rate_limit_info")) && JsonSniff.NESTED.equals(f.getValue())) {
        return true;
      }
    }
    return false;
  }

  /** Fields seen so far that a Tetragon event does not have. */
  private static boolean contradicts(JsonSniff.Obj o) {
    for (String k : o.fields().keySet()) {
      if (k.startsWith("process_")) {
        continue;
      }
      switch (k) {
        // GetEventsResponse's fields besides the event (node_labels since v1.4), the info events
        case "time", "node_name", "cluster_name", "aggregation_info", "node_labels", "rate_limit_info", "test" -> {}
        default -> {
          return true;
        }
      }
    }
    return false;
  }
}
