package dev.strata.ingest.recognize;

import dev.strata.ingest.context.ContextValues;
import dev.strata.schema.common.Framing;
import java.util.List;

/**
 * Outcome of recognition for one file.
 *
 * @param sourceType format id, or null when not recognized
 * @param framing how to cut the content (null when not recognized)
 * @param pathHints context from the path layout (empty unless the winning format's path rule matched)
 * @param detail why (content probe / path facts)
 * @param warnings e.g. a path that suggests another format than the content
 */
public record Recognition(
    String sourceType, Framing framing, ContextValues pathHints, String detail, List<String> warnings) {

  public boolean recognized() {
    return sourceType != null;
  }
}
