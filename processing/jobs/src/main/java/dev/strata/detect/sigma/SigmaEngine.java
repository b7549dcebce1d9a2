package dev.strata.detect.sigma;

import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates loaded Sigma rules on events. Rules are indexed by log source ({@link LogSources}), so an event is tested
 * only against the rules of its own format (record sources: the original record) or of the generic categories its
 * format's {@link SigmaFieldMapping} says it answers (the event's taxonomy view), and within a log source by the field
 * most rules pin to plain values (for the SigmaHQ CloudTrail rules {@code eventName}, for the Kubernetes audit rules
 * {@code objectRef.resource}): an event is tested against the rules keyed by its value of that field plus the rules
 * no value pins. The choice is made from the rules themselves, not from a table that could drift.
 */
public final class SigmaEngine implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SigmaRuleSet ruleSet;
  private final Map<String, FormatIndex> bySource = new HashMap<>();
  /** The formats with a taxonomy view answering a category some rule is of. */
  private final Set<String> viewFormats = new HashSet<>();

  /**
   * The rules of one log source: keyed by the lower-case value of {@code field}, plus the rest. {@code mapping} is
   * the record source's (null for a generic category).
   */
  private record FormatIndex(LogSources.Mapping mapping, String field, Map<String, List<SigmaRule>> keyed,
      List<SigmaRule> always) implements Serializable {}

  public SigmaEngine(SigmaRuleSet ruleSet) {
    this.ruleSet = ruleSet;
    Map<String, List<SigmaRule>> perSource = new HashMap<>();
    for (SigmaRule r : ruleSet.rules()) perSource.computeIfAbsent(r.logSource(), f -> new ArrayList<>()).add(r);
    perSource.forEach((source, rules) -> bySource.put(source, index(source, rules)));
    for (String source : perSource.keySet()) viewFormats.addAll(LogSources.formatsOf(source));
  }

  public static SigmaEngine empty() {
    return new SigmaEngine(SigmaRuleSet.empty());
  }

  public SigmaRuleSet ruleSet() {
    return ruleSet;
  }

  public boolean isEmpty() {
    return bySource.isEmpty();
  }

  /** Whether any rule applies to events of this format (no need to read the event otherwise). */
  public boolean covers(String format) {
    return format != null && (bySource.containsKey(format) || viewFormats.contains(format));
  }

  /** The field a log source's rules are keyed by, or null (for the report and tests). */
  public String indexField(String logSource) {
    FormatIndex fi = bySource.get(logSource);
    return fi == null ? null : fi.field;
  }

  /** How many rules of the log source no value of the index field pins (tested against every event of it). */
  public int unkeyedRules(String logSource) {
    FormatIndex fi = bySource.get(logSource);
    return fi == null ? 0 : fi.always.size();
  }

  /**
   * The rules an event matches, in load order: a record source's on its original record, the generic log sources'
   * on its taxonomy view for each category it answers.
   */
  public List<SigmaRule.Info> match(EvidenceEvent e) {
    String format = e.getSourceFormat();
    if (!covers(format)) return List.of();
    FormatIndex own = bySource.get(format);
    if (own != null && own.mapping != null) return match(format, e.getRawData());
    SigmaFieldMapping view = LogSources.fieldMapping(format).orElse(null);
    if (view == null) return List.of();
    List<SigmaRule.Info> out = List.of();
    for (String category : view.categoriesOf(e)) {
      FormatIndex fi = bySource.get(category);
      if (fi == null) continue;
      List<SigmaRule.Info> hit = match(fi, view.view(category, e));
      if (hit.isEmpty()) continue;
      if (out.isEmpty()) {
        out = hit;
      } else {
        out = new ArrayList<>(out);
        out.addAll(hit);
      }
    }
    return out;
  }

  /** The rules an original record of this record-source format matches, in load order (empty when none or not JSON). */
  public List<SigmaRule.Info> match(String format, String rawData) {
    FormatIndex fi = format == null ? null : bySource.get(format);
    if (fi == null || fi.mapping == null) return List.of();
    SigmaRecord r = SigmaRecord.parse(rawData, fi.mapping);
    return r == null ? List.of() : match(fi, r);
  }

  /** The rules a record (already parsed, or a taxonomy view) of this log source matches. */
  public List<SigmaRule.Info> match(String logSource, SigmaRecord r) {
    FormatIndex fi = logSource == null ? null : bySource.get(logSource);
    return fi == null || r == null ? List.of() : match(fi, r);
  }

  private static List<SigmaRule.Info> match(FormatIndex fi, SigmaRecord r) {
    List<SigmaRule.Info> out = null;
    if (fi.field != null) {
      var values = r.values(fi.field);
      Set<SigmaRule> seen = values.size() > 1 ? java.util.Collections.newSetFromMap(new IdentityHashMap<>()) : null;
      for (var v : values) {
        String t = ValueTest.text(v);
        if (t == null) continue;
        List<SigmaRule> keyed = fi.keyed.get(t.toLowerCase(Locale.ROOT));
        if (keyed == null) continue;
        for (SigmaRule rule : keyed) {
          if (seen != null && !seen.add(rule)) continue;
          if (eval(rule, r)) (out == null ? out = new ArrayList<>(2) : out).add(rule.info());
        }
      }
    }
    for (SigmaRule rule : fi.always) {
      if (eval(rule, r)) (out == null ? out = new ArrayList<>(2) : out).add(rule.info());
    }
    return out == null ? List.of() : out;
  }

  private static boolean eval(SigmaRule rule, SigmaRecord r) {
    try {
      return rule.detection().eval(r);
    } catch (RuntimeException | StackOverflowError e) {
      return false; // a pathological value (deep regex backtracking) never stops the others
    }
  }

  private static FormatIndex index(String logSource, List<SigmaRule> rules) {
    LogSources.Mapping mapping = LogSources.ofFormat(logSource).orElse(null);
    Set<String> candidates = new LinkedHashSet<>();
    for (SigmaRule r : rules) fields(r.detection(), candidates);
    String best = null;
    int bestCount = 0;
    for (String f : candidates) {
      int n = 0;
      for (SigmaRule r : rules) if (required(r.detection(), f) != null) n++;
      if (n > bestCount) {
        best = f;
        bestCount = n;
      }
    }
    Map<String, List<SigmaRule>> keyed = new HashMap<>();
    List<SigmaRule> always = new ArrayList<>();
    for (SigmaRule r : rules) {
      Set<String> values = best == null ? null : required(r.detection(), best);
      if (values == null) {
        always.add(r);
      } else {
        for (String v : values) keyed.computeIfAbsent(v, k -> new ArrayList<>()).add(r);
      }
    }
    return new FormatIndex(mapping, best, keyed, List.copyOf(always));
  }

  private static void fields(Expr e, Set<String> out) {
    if (e instanceof Expr.FieldTest f) out.add(f.field());
    else if (e instanceof Expr.Identifier i) fields(i.body(), out);
    else if (e instanceof Expr.And a) a.all().forEach(x -> fields(x, out));
    else if (e instanceof Expr.Or o) o.any().forEach(x -> fields(x, out));
    else if (e instanceof Expr.AtLeast l) l.parts().forEach(x -> fields(x, out));
  }

  /**
   * The lower-case values {@code field} must have for the expression to match (plain case-insensitive equalities),
   * or null when it can match with any value (or none).
   */
  static Set<String> required(Expr e, String field) {
    if (e instanceof Expr.FieldTest f) {
      if (!f.field().equals(field) || (f.all() && f.values().size() > 1)) return null;
      Set<String> out = new HashSet<>();
      for (ValueTest v : f.values()) {
        String lit = v instanceof ValueTest.Str s ? s.glob().exactLowerCase() : null;
        if (lit == null) return null;
        out.add(lit);
      }
      return out;
    }
    if (e instanceof Expr.Identifier i) return required(i.body(), field);
    if (e instanceof Expr.And a) {
      Set<String> best = null;
      for (Expr x : a.all()) {
        Set<String> s = required(x, field);
        if (s != null && (best == null || s.size() < best.size())) best = s;
      }
      return best;
    }
    if (e instanceof Expr.Or o) return union(o.any(), field);
    if (e instanceof Expr.AtLeast l) return union(l.parts(), field);
    return null;
  }

  private static Set<String> union(List<Expr> parts, String field) {
    Set<String> out = new HashSet<>();
    for (Expr x : parts) {
      Set<String> s = required(x, field);
      if (s == null) return null;
      out.addAll(s);
    }
    return out;
  }
}
