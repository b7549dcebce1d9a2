package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import java.util.Optional;

/**
 * {@code overlay_upper_changes}: a container writable-layer listing the collector synthesized (see
 * {@code dev.strata.ingest.overlay.OverlayUpperChanges}) and someone saved, read back by {@code strata parse}. The
 * collector publishes its own listings directly; this recognizer only serves saved copies. No standard path.
 * Content: JSON lines whose first object has {@code upper_dir}, {@code path} and {@code kind}.
 */
public final class OverlayUpperChangesRecognizer implements ArtifactRecognizer {
  public static final String SOURCE_TYPE = "overlay_upper_changes";

  private static final JsonObjectLinesProbe PROBE =
      new JsonObjectLinesProbe("overlay upper dir entry",
          o -> o.get("upper_dir") != null && o.get("path") != null && o.get("kind") != null,
          o -> !o.has("upper_dir") && !o.has("runtime"));

  @Override
  public String sourceType() {
    return SOURCE_TYPE;
  }

  @Override
  public Optional<ContextValues> matchPath(String relPath) {
    return Optional.empty();
  }

  @Override
  public ContentMatch probe(ContentSample sample) {
    return PROBE.probe(sample);
  }
}
