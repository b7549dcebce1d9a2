package dev.strata.ingest.recognize;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * {@code podman_containers_json}: containers/storage's container registry (Podman, Buildah, CRI-O).
 *
 * <p>Path: {@code **}{@code /<driver>-containers/containers.json} and {@code volatile-containers.json} (driver
 * overlay, vfs, btrfs, zfs, aufs; rootful {@code var/lib/containers/storage/}, rootless
 * {@code .local/share/containers/storage/}). Content: a JSON array whose first element has {@code id} and
 * {@code layer} (STRONG, framing JSON_RECORDS: cut between elements); an empty array: WEAK (path needed).
 */
public final class PodmanContainersJsonRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "podman_containers_json";

  private static final Pattern PATH =
      Pattern.compile("(?:^|.*/)(?:overlay|vfs|btrfs|zfs|aufs)-containers/(?:volatile-)?containers\\.json");

  public PodmanContainersJsonRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    int start = sample.firstSignificant();
    if (start < 0) {
      return ContentMatch.none("no content");
    }
    byte[] b = sample.bytes();
    if (b[start] != '[') {
      return ContentMatch.none("not a JSON array");
    }
    try (JsonParser p = JsonSniff.parser(b, start, b.length - start)) {
      p.nextToken(); // [
      JsonToken t = p.nextToken();
      if (t == JsonToken.END_ARRAY) {
        return ContentMatch.weak(Framing.JSON_RECORDS, "empty JSON array");
      }
      if (t != JsonToken.START_OBJECT) {
        return ContentMatch.none("JSON array of non-objects");
      }
      JsonSniff.Obj o = JsonSniff.readObject(p, start);
      if (o.valid() && o.get("id") != null && o.get("layer") != null) {
        return ContentMatch.strong(Framing.JSON_RECORDS, "containers/storage containers (id, layer)");
      }
      return ContentMatch.none("first element is not a containers/storage container (id, layer)");
    } catch (IOException e) {
      return ContentMatch.none("not JSON");
    }
  }
}
