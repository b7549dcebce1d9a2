package dev.strata.ingest.recognize;

import dev.strata.schema.common.Framing;
import java.util.regex.Pattern;

/**
 * {@code oci_runtime_config}: an OCI runtime-spec bundle {@code config.json} as Podman, CRI-O, containerd and runc
 * leave it. One JSON object per file, framing WHOLE.
 *
 * <p>Path: {@code **}{@code /overlay-containers/<64 hex>/userdata/config.json} (Podman / CRI-O, rootful
 * {@code var/lib/containers/storage/...} and rootless {@code home/<user>/.local/share/containers/storage/...}),
 * {@code **}{@code /io.containerd.runtime.v2.task/<namespace>/<id>/config.json} (and the v1 {@code .linux} layout).
 * Content: a JSON object with a string {@code ociVersion} and one of {@code process}, {@code root}, {@code mounts},
 * {@code linux}, {@code annotations} (STRONG; {@code ociVersion} is the first key runtimes write, so a config longer
 * than the sample is still proved as long as one of the others came before the sample's end — otherwise WEAK).
 * Docker's own {@code containers/<id>/config.json} has no {@code ociVersion}: content decides.
 */
public final class OciRuntimeConfigRecognizer extends PathPatternRecognizer {
  public static final String SOURCE_TYPE = "oci_runtime_config";

  private static final Pattern PATH =
      Pattern.compile(
          "(?:^|.*/)(?:overlay-containers/[0-9a-f]{64}/userdata/config\\.json"
              + "|io\\.containerd\\.runtime\\.v[12]\\.(?:task|linux)/[^/]+/[^/]+/config\\.json)");

  public OciRuntimeConfigRecognizer() {
    super(SOURCE_TYPE, PATH);
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    JsonSniff.Leading lead = JsonSniff.leadingObject(sample);
    if (lead.none() != null) {
      return lead.none();
    }
    JsonSniff.Obj o = lead.obj();
    if (o.get("ociVersion") == null) {
      return ContentMatch.none("no ociVersion: not an OCI runtime config");
    }
    if (o.has("process") || o.has("root") || o.has("mounts") || o.has("linux") || o.has("annotations")) {
      return ContentMatch.strong(Framing.WHOLE, "an OCI runtime config (ociVersion, process/root/mounts/linux)");
    }
    if (!o.complete()) {
      return ContentMatch.weak(Framing.WHOLE, "a JSON object with ociVersion longer than the sample");
    }
    return ContentMatch.none("ociVersion but none of process, root, mounts, linux, annotations");
  }
}
