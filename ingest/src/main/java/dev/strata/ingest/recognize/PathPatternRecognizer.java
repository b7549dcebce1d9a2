package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A recognizer whose standard locations are one path pattern that carries no context (the whole relative path must
 * match; no hints are taken from the layout). Subclasses give the source type and pattern and write only the probe.
 */
abstract class PathPatternRecognizer implements ArtifactRecognizer {
  private final String sourceType;
  private final Pattern path;

  PathPatternRecognizer(String sourceType, Pattern path) {
    this.sourceType = Objects.requireNonNull(sourceType, "sourceType");
    this.path = Objects.requireNonNull(path, "path");
  }

  @Override
  public final String sourceType() {
    return sourceType;
  }

  @Override
  public final Optional<ContextValues> matchPath(String relPath) {
    return path.matcher(relPath).matches() ? Optional.of(ContextValues.EMPTY) : Optional.empty();
  }
}
