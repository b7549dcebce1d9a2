package dev.strata.ingest.chunk;

import java.util.List;
import java.util.Map;

/**
 * The record arrays of a one-object JSON document format, for {@link RecordArraysBoundaryScanner}: the top-level
 * arrays whose elements are records (cut between them), and per array the byte strings that mark an element as
 * document context (kept in the format header, e.g. the package that is the container image of an SPDX document).
 *
 * @param names top-level keys of the record arrays
 * @param contextMarkers per array name: an element whose bytes contain one of these is context
 */
public record RecordArrays(List<String> names, Map<String, List<String>> contextMarkers) {
  public RecordArrays {
    names = List.copyOf(names);
    contextMarkers = Map.copyOf(contextMarkers);
  }

  public static RecordArrays of(String... names) {
    return new RecordArrays(List.of(names), Map.of());
  }

  public RecordArrays withContext(String array, String... markers) {
    java.util.Map<String, List<String>> m = new java.util.HashMap<>(contextMarkers);
    m.put(array, List.of(markers));
    return new RecordArrays(names, m);
  }
}
