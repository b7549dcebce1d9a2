package dev.strata.detect.sigma;

import dev.strata.schema.event.EvidenceEvent;
import java.util.List;

/**
 * A container's writable layer ({@code overlay_upper_changes}: the collector's listing of the overlay upper dir;
 * {@code docker_diff}: {@code docker diff} output) in the Sigma taxonomy: an added file is a {@code file_event}, a
 * changed one a {@code file_change}, a deleted one (whiteout) a {@code file_delete}; an entry the listing cannot tell
 * added from changed (no lower layers: activity 99) answers both. Only {@code TargetFilename}: the layer does not say
 * which process wrote the file, nor when.
 */
final class FileLayerFieldMapping extends TaxonomyTable {
  FileLayerFieldMapping(String format) {
    super(format);
    category("file_event", fields("TargetFilename", TARGET_FILENAME));
    category("file_change", fields("TargetFilename", TARGET_FILENAME));
    category("file_delete", fields("TargetFilename", TARGET_FILENAME));
  }

  @Override
  public List<String> categoriesOf(EvidenceEvent e) {
    if (e.getFile() == null) return List.of();
    return switch (e.getActivityId()) {
      case 1 -> List.of("file_event");
      case 3 -> List.of("file_change");
      case 4 -> List.of("file_delete");
      case 99 -> List.of("file_event", "file_change");
      default -> List.of();
    };
  }
}
