package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code docker_image_config}: Docker's image store. Path: {@code **}{@code /image/<driver>/imagedb/content/sha256/<64
 * hex>} (image configs), {@code **}{@code /image/<driver>/repositories.json} (tags and repo digests), {@code **}{@code
 * /graph/<64 hex>/json} (Docker &lt; 1.10 layers), {@code **}{@code /io.containerd.content.v1.content/blobs/sha256/<64
 * hex>} (containerd's content store: only its image configs, by content). Content: a JSON object with a
 * {@code Repositories} object; or {@code rootfs} with {@code architecture}, {@code os}, {@code config} or
 * {@code history} (an OCI / Docker image config); or {@code container_config} with {@code docker_version} (a legacy
 * layer). Framing WHOLE (one document per file).
 */
public final class DockerImageRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "docker_image_config";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:image/[^/]+/imagedb/content/sha256/[0-9a-f]{64}"
      + "|image/[^/]+/repositories\\.json|graph/[0-9a-f]{64}/json"
      + "|io\\.containerd\\.content\\.v1\\.content/blobs/sha256/[0-9a-f]{64})");

  public DockerImageRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.Leading lead = JsonSniff.leadingObject(sample);
    if (lead.none() != null) return lead.none();
    JsonSniff.Obj o = lead.obj();
    if (JsonSniff.NESTED.equals(o.fields().get("Repositories")) && o.fields().size() <= 2) {
      return ContentMatch.strong(Framing.WHOLE, "Docker repositories.json (Repositories)");
    }
    if (o.has("rootfs") && (o.has("architecture") || o.has("os") || o.has("history") || o.has("config"))) {
      return ContentMatch.strong(Framing.WHOLE, "an image config (rootfs with architecture / os / config / history)");
    }
    if (o.has("container_config") && o.has("docker_version")) {
      return ContentMatch.strong(Framing.WHOLE, "a legacy Docker graph layer json (container_config, docker_version)");
    }
    return ContentMatch.none("not Docker image metadata (Repositories, rootfs, container_config)");
  }
}
