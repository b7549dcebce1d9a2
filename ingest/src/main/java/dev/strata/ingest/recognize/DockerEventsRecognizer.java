package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * {@code docker_events}: {@code docker events --format '{{json .}}'} output, the Engine API's EventMessage.
 *
 * <p>Path: {@code **}{@code /docker[-_]events*} (backs only a probe the sample could not prove). Content: JSON lines
 * whose first object has {@code Type}, {@code Action} and {@code Actor}, or the legacy {@code status}, {@code id} and
 * {@code time}/{@code timeNano} (STRONG, LINES); a JSON array of such objects (STRONG, JSON_RECORDS); the text of
 * plain {@code docker events} ({@code <RFC 3339 time> <type> <action> <id> (<attributes>)}, STRONG, LINES).
 */
public final class DockerEventsRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_events";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)docker[-_]events[^/]*");
  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("Docker event", DockerEventsRecognizer::isEvent, DockerEventsRecognizer::contradicts);

  public DockerEventsRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    if (b[start] == '[') {
      try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
        p.nextToken();
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return ContentMatch.none("not an array of objects");
        }
        JsonSniff.Obj o = JsonSniff.readObject(p, start);
        if (o.valid() && isEvent(o)) {
          return ContentMatch.strong(Framing.JSON_RECORDS, "a JSON array of Docker events");
        }
        return ContentMatch.none("first array element is not a Docker event");
      } catch (IOException e) {
        return ContentMatch.none("not JSON");
      }
    }
    int eol = start;
    while (eol < b.length && b[eol] != '\n' && eol - start < 512) eol++;
    String head = new String(b, start, eol - start, java.nio.charset.StandardCharsets.UTF_8);
    if (TEXT.matcher(head).lookingAt()) {
      return ContentMatch.strong(Framing.LINES, "docker events text lines (RFC 3339 time, type, action, id)");
    }
    return PROBE.probe(sample);
  }

  /**
   * A line of {@code docker events} without {@code --format}: RFC 3339 time with nanoseconds and zone, one of the
   * Engine API's object types, an action.
   */
  static final Pattern TEXT = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2}) "
      + "(?:container|image|volume|network|daemon|plugin|service|node|secret|config|builder) [a-z_]+[: ]");

  static boolean isEvent(JsonSniff.Obj o) {
    return (o.has("Type") && o.has("Action") && o.has("Actor"))
        || (o.has("status") && o.has("id") && (o.has("time") || o.has("timeNano")) && !o.has("kind"));
  }

  private static boolean contradicts(JsonSniff.Obj o) {
    return o.has("log") || o.has("kind") || o.has("eventName") || o.has("rule") || o.has("apiVersion")
        || o.has("MESSAGE");
  }
}
