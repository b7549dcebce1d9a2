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
      if (refFields.size() > 4) throw new IllegalArgumentException("a join reads at most 4 paths: " + refFields);
    }

    /** Whether {@code path} is more than a top-level field name. */
    static boolean isNested(String path) {
      return path.indexOf('.') >= 0 || path.indexOf('[') >= 0;
    }

    /**
     * Adds the string values at {@code paths} in the JSON value at {@code p}'s current token to {@code out}, in
     * document order, streaming (no tree, one pass for all paths): the value is consumed. At most 4 paths of at most
     * 15 steps each.
     */
    static void values(com.fasterxml.jackson.core.JsonParser p, List<String> paths, List<String> out)
        throws java.io.IOException {
      String[][] steps = STEPS.computeIfAbsent(paths, Join::steps);
      long states = 0;
      for (int k = 0; k < steps.length; k++) states |= bit(k, 0);
      walk(p, steps, states, out);
    }

    /** the steps of each path list asked, split once (a recognizer's join paths: a handful) */
    private static final java.util.Map<List<String>, String[][]> STEPS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String[][] steps(List<String> paths) {
      if (paths.size() > 4) throw new IllegalArgumentException("more than 4 join paths: " + paths);
      String[][] steps = new String[paths.size()][];
      for (int k = 0; k < steps.length; k++) {
        steps[k] = paths.get(k).split("\\.");
        if (steps[k].length > 15) throw new IllegalArgumentException("join path of more than 15 steps: " + paths);
      }
      return steps;
    }

    /**
     * {@code states}: for path k, bit 16k + i = its steps[i..] are to be matched at this value; bit 16k +
     * steps[k].length = this value is one of its values.
     */
    private static void walk(com.fasterxml.jackson.core.JsonParser p, String[][] steps, long states, List<String> out)
        throws java.io.IOException {
      for (int k = 0; k < steps.length; k++) {
        for (int i = 0; i < steps[k].length; i++) {
          if ((states & bit(k, i)) != 0 && steps[k][i].endsWith("[]*")) states |= bit(k, i + 1); // the node too
        }
      }
      com.fasterxml.jackson.core.JsonToken t = p.currentToken();
      if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
        for (int k = 0; k < steps.length; k++) if ((states & bit(k, steps[k].length)) != 0) out.add(p.getText());
        return;
      }
      if (t != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        p.skipChildren();
        return;
      }
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String f = p.currentName();
        long field = 0;
        long elements = 0;
        for (int k = 0; k < steps.length; k++) {
          for (int i = 0; i < steps[k].length; i++) {
            if ((states & bit(k, i)) == 0) continue;
            String st = steps[k][i];
            if (st.endsWith("[]*")) {
              if (st.regionMatches(0, f, 0, f.length()) && st.length() == f.length() + 3) elements |= bit(k, i);
            } else if (st.endsWith("[]")) {
              if (st.regionMatches(0, f, 0, f.length()) && st.length() == f.length() + 2) elements |= bit(k, i + 1);
            } else if (st.equals(f)) {
              field |= bit(k, i + 1);
            }
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

    private static long bit(int path, int step) {
      return 1L << (16 * path + step);
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
