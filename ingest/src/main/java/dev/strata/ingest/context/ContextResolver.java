package dev.strata.ingest.context;

import java.util.ArrayList;
import java.util.List;

/**
 * Fills in what a source omits (host, cluster, cloud provider/account/region), field by field, in this order of
 * precedence:
 *
 * <ol>
 *   <li>the path layout (e.g. {@code AWSLogs/<account>/CloudTrail/<region>/}) — the evidence's own structure;
 *   <li>context manifests ({@code strata-context.yaml}): among the entries covering the file, the longest prefix
 *       that sets the field;
 *   <li>command-line defaults.
 * </ol>
 * A path-layout value that disagrees with the manifest's is kept, with a warning.
 */
public final class ContextResolver {
  private final List<ContextManifest.Entry> entries;
  private final ContextValues defaults;

  public ContextResolver(List<ContextManifest.Entry> entries, ContextValues defaults) {
    this.entries = List.copyOf(entries);
    this.defaults = defaults == null ? ContextValues.EMPTY : defaults;
  }

  /**
   * @param context the resolved context
   * @param warnings disagreements between path layout and manifests
   */
  public record Resolved(ContextValues context, List<String> warnings) {}

  public List<ContextManifest.Entry> entries() {
    return entries;
  }

  public Resolved resolve(String relPath, ContextValues pathHints) {
    ContextValues hints = pathHints == null ? ContextValues.EMPTY : pathHints;
    List<String> warnings = new ArrayList<>();
    String[] out = new String[ContextManifest.KEYS.size() - 1];
    int i = 0;
    for (String field : ContextManifest.KEYS.subList(1, ContextManifest.KEYS.size())) {
      ContextManifest.Entry best = null;
      for (ContextManifest.Entry e : entries) {
        if (e.values().get(field) != null && e.covers(relPath)
            && (best == null || e.prefix().length() > best.prefix().length())) {
          best = e;
        }
      }
      String fromPath = hints.get(field);
      String fromManifest = best == null ? null : best.values().get(field);
      if (fromPath != null) {
        out[i] = fromPath;
        if (fromManifest != null && !fromManifest.equals(fromPath)) {
          warnings.add(field + ": path layout says '" + fromPath + "', " + best.source() + " says '" + fromManifest
              + "'; keeping the path's");
        }
      } else if (fromManifest != null) {
        out[i] = fromManifest;
      } else {
        out[i] = defaults.get(field);
      }
      i++;
    }
    return new Resolved(new ContextValues(out[0], out[1], out[2], out[3], out[4], out[5]), warnings);
  }
}
