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
   * An element of {@code source} refers to an element of {@code target} when one of the string values at its paths
   * {@code refFields} equals one at the target element's path {@code keyField} (SPDX: a relationship's
   * spdxElementId / relatedSpdxElement and a package's SPDXID; CycloneDX: a component's bom-ref, nested components
   * included, and a vulnerability's affects[].ref). A split document's chunk then carries, in its header, the source
   * elements that refer to its target elements, in document order, up to {@code perKey} per target key (not counting
   * context elements, which the header holds anyway).
   *
   * <p>A path is a top-level field name ({@code SPDXID}), or dot-separated steps through the element where
   * {@code name[]} steps into every element of array {@code name} and {@code name[]*} into the node itself and,
   * recursively, every element of its arrays {@code name} ({@code affects[].ref}, {@code components[]*.bom-ref}).
   */
  public record Join(String source, List<String> refFields, String target, String keyField, int perKey) {
    public Join {
      refFields = List.copyOf(refFields);
    }

    /** Whether {@code path} is more than a top-level field name. */
    static boolean isNested(String path) {
      return path.indexOf('.') >= 0 || path.indexOf('[') >= 0;
    }

    /**
     * Adds the string values at {@code path} in the JSON value at {@code p}'s current token to {@code out}, streaming
     * (no tree): the value is consumed.
     */
    static void values(com.fasterxml.jackson.core.JsonParser p, String path, List<String> out)
        throws java.io.IOException {
      String[] steps = path.split("\\.");
      walk(p, steps, 1, out);
    }

    /** {@code states}: bit i = steps[i..] are to be matched at this value; bit steps.length = this value is one. */
    private static void walk(com.fasterxml.jackson.core.JsonParser p, String[] steps, int states, List<String> out)
        throws java.io.IOException {
      for (int i = 0; i < steps.length; i++) {
        if ((states & (1 << i)) != 0 && steps[i].endsWith("[]*")) states |= 1 << (i + 1); // the node itself too
      }
      com.fasterxml.jackson.core.JsonToken t = p.currentToken();
      if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
        if ((states & (1 << steps.length)) != 0) out.add(p.getText());
        return;
      }
      if (t != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String f = p.currentName();
        int field = 0;
        int elements = 0;
        for (int i = 0; i < steps.length; i++) {
          if ((states & (1 << i)) == 0) continue;
          String st = steps[i];
          if (st.endsWith("[]*")) {
            if (st.regionMatches(0, f, 0, f.length()) && st.length() == f.length() + 3) elements |= 1 << i;
          } else if (st.endsWith("[]")) {
            if (st.regionMatches(0, f, 0, f.length()) && st.length() == f.length() + 2) elements |= 1 << (i + 1);
          } else if (st.equals(f)) {
            field |= 1 << (i + 1);
          }
        }
        com.fasterxml.jackson.core.JsonToken v = p.nextToken();
        if (elements != 0 && v == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
          for (com.fasterxml.jackson.core.JsonToken x = p.nextToken();
              x != null && x != com.fasterxml.jackson.core.JsonToken.END_ARRAY; x = p.nextToken()) {
            walk(p, steps, elements, out);
          }
        } else if (field != 0) {
          walk(p, steps, field, out);
        } else {
          p.skipChildren();
        }
      }
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
