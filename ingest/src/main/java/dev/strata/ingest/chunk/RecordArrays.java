package dev.strata.ingest.chunk;

import java.util.List;
import java.util.Map;

/**
 * The record arrays of a one-object JSON document format, for {@link RecordArraysBoundaryScanner}: the top-level
 * arrays whose elements are records (cut between them), per array the byte strings that mark an element as document
 * context (kept in the format header, e.g. the package that is the container image of an SPDX document), and the
 * joins that carry elements of one array to the chunks holding the elements they refer to (e.g. SPDX relationships
 * to the chunks of their packages).
 *
 * @param names top-level keys of the record arrays
 * @param contextMarkers per array name: an element whose bytes contain one of these is context
 * @param joins elements of a source array carried in the header of every chunk that holds a target element they name
 */
public record RecordArrays(List<String> names, Map<String, List<String>> contextMarkers, List<Join> joins) {
  public RecordArrays {
    names = List.copyOf(names);
    contextMarkers = Map.copyOf(contextMarkers);
    joins = List.copyOf(joins);
  }

  public RecordArrays(List<String> names, Map<String, List<String>> contextMarkers) {
    this(names, contextMarkers, List.of());
  }

  /**
   * An element of {@code source} refers to an element of {@code target} when one of its top-level string fields
   * {@code refFields} equals the target element's top-level string field {@code keyField} (SPDX: a relationship's
   * spdxElementId / relatedSpdxElement and a package's SPDXID). A split document's chunk then carries, in its header,
   * the source elements that refer to its target elements, in document order, up to {@code perKey} per target
   * element (not counting context elements, which the header holds anyway).
   */
  public record Join(String source, List<String> refFields, String target, String keyField, int perKey) {
    public Join {
      refFields = List.copyOf(refFields);
    }
  }

  public static RecordArrays of(String... names) {
    return new RecordArrays(List.of(names), Map.of());
  }

  public RecordArrays withContext(String array, String... markers) {
    java.util.Map<String, List<String>> m = new java.util.HashMap<>(contextMarkers);
    m.put(array, List.of(markers));
    return new RecordArrays(names, m, joins);
  }

  public RecordArrays withJoin(Join join) {
    if (!names.contains(join.source()) || !names.contains(join.target())) {
      throw new IllegalArgumentException("join " + join + " names an array that is not a record array of " + names);
    }
    java.util.List<Join> j = new java.util.ArrayList<>(joins);
    j.add(join);
    return new RecordArrays(names, contextMarkers, j);
  }
}
