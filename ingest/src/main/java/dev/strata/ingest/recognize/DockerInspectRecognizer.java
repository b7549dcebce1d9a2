package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * {@code docker_inspect}: {@code docker inspect} / {@code docker image inspect} output.
 *
 * <p>Path: {@code **}{@code /*inspect*.json} (backs only a weak probe). Content: a JSON array whose first element has
 * an {@code Id} (64 hex or {@code sha256:<hex>}) and either {@code State} + {@code Config} (containers) or
 * {@code RepoTags} / {@code RepoDigests} / {@code RootFS} (images): STRONG, JSON_RECORDS; a first element cut by the
 * sample with a matching Id: WEAK. The same objects one per line ({@code --format '{{json .}}'}): LINES; a single
 * pretty-printed object: WHOLE.
 */
public final class DockerInspectRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_inspect";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)[^/]*inspect[^/]*\\.json[^/]*");
  private static final Pattern ID = Pattern.compile("(?:sha256:)?[0-9a-f]{64}");
  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("docker inspect object", DockerInspectRecognizer::isInspect,
          o -> o.has("ID") || o.has("kind") || o.has("log") || (o.get("Id") != null && !ID.matcher(o.get("Id")).matches()));

  public DockerInspectRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    if (b[start] == '{') {
      return PROBE.probe(sample);
    }
    if (b[start] != '[') {
      return ContentMatch.none("not a JSON array or object");
    }
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken();
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        return ContentMatch.weak(Framing.JSON_RECORDS, "an empty JSON array");
      }
      if (t != JsonToken.START_OBJECT) {
        return ContentMatch.none("not an array of objects");
      }
      JsonSniff.Obj o = JsonSniff.readObject(p, start);
      if (!o.valid()) {
        return ContentMatch.none("not JSON");
      }
      if (isInspect(o)) {
        return ContentMatch.strong(Framing.JSON_RECORDS, "docker inspect output (an array of containers or images)");
      }
      String id = o.get("Id");
      if (!o.complete() && id != null && ID.matcher(id).matches()) {
        return ContentMatch.weak(Framing.JSON_RECORDS, "an array whose first element (Id) is longer than the sample");
      }
      return ContentMatch.none("first element is not a docker inspect container or image");
    } catch (IOException e) {
      return ContentMatch.none("not JSON");
    }
  }

  static boolean isInspect(JsonSniff.Obj o) {
    String id = o.get("Id");
    if (id == null || !ID.matcher(id).matches()) return false;
    return (o.has("State") && o.has("Config"))
        || (!o.has("State") && (o.has("RepoTags") || o.has("RepoDigests") || o.has("RootFS")));
  }
}
