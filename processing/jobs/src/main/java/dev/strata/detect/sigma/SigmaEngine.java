package dev.strata.detect.sigma;

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
 * Evaluates loaded Sigma rules on original records. Rules are indexed by format, so an event is tested only against
 * the rules of its own format, and within a format by the field most rules pin to plain values (for the SigmaHQ
 * CloudTrail rules {@code eventName}, for the Kubernetes audit rules {@code objectRef.resource}): an event is tested
 * against the rules keyed by its value of that field plus the rules no value pins. The choice is made from the rules
 * themselves, not from a table that could drift.
 */
public final class SigmaEngine implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SigmaRuleSet ruleSet;
  private final Map<String, FormatIndex> byFormat = new HashMap<>();

  /** The rules of one format: keyed by the lower-case value of {@code field}, plus the rest. */
  private record FormatIndex(LogSources.Mapping mapping, String field, Map<String, List<SigmaRule>> keyed,
      List<SigmaRule> always) implements Serializable {}

  public SigmaEngine(SigmaRuleSet ruleSet) {
    this.ruleSet = ruleSet;
    Map<String, List<SigmaRule>> perFormat = new HashMap<>();
    for (SigmaRule r : ruleSet.rules()) perFormat.computeIfAbsent(r.format(), f -> new ArrayList<>()).add(r);
    perFormat.forEach((format, rules) -> byFormat.put(format, index(format, rules)));
  }

  public static SigmaEngine empty() {
    return new SigmaEngine(SigmaRuleSet.empty());
  }

  public SigmaRuleSet ruleSet() {
    return ruleSet;
  }

  public boolean isEmpty() {
    return byFormat.isEmpty();
  }

  /** Whether any rule applies to this format (no need to read the record otherwise). */
  public boolean covers(String format) {
    return format != null && byFormat.containsKey(format);
  }

  /** The field a format's rules are keyed by, or null (for the report and tests). */
  public String indexField(String format) {
    FormatIndex fi = byFormat.get(format);
    return fi == null ? null : fi.field;
  }

  /** How many rules of the format no value of the index field pins (tested against every record of the format). */
  public int unkeyedRules(String format) {
    FormatIndex fi = byFormat.get(format);
    return fi == null ? 0 : fi.always.size();
  }

  /** The rules an original record of this format matches, in load order (empty when none or not JSON). */
  public List<SigmaRule.Info> match(String format, String rawData) {
    FormatIndex fi = format == null ? null : byFormat.get(format);
    if (fi == null) return List.of();
    SigmaRecord r = SigmaRecord.parse(rawData, fi.mapping);
    return r == null ? List.of() : match(fi, r);
  }

  /** The rules a record (already parsed) of this format matches. */
  public List<SigmaRule.Info> match(String format, SigmaRecord r) {
    FormatIndex fi = format == null ? null : byFormat.get(format);
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

  private static FormatIndex index(String format, List<SigmaRule> rules) {
    LogSources.Mapping mapping = LogSources.ofFormat(format).orElseThrow();
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
