package dev.strata.detect.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Sigma {@code condition} grammar: identifiers, {@code and}, {@code or}, {@code not} (binding tightest, then and,
 * then or), parentheses, {@code 1 of X*} / {@code N of X*} / {@code all of X*} / {@code any of X*} and {@code ... of
 * them} (identifiers starting with {@code _} are not part of {@code them}). The deprecated aggregations ({@code |
 * count() ...}, {@code near}) are reported as unsupported.
 */
final class ConditionParser {
  private final List<String> tokens;
  private final Map<String, Expr> identifiers;
  private int pos;

  private ConditionParser(List<String> tokens, Map<String, Expr> identifiers) {
    this.tokens = tokens;
    this.identifiers = identifiers;
  }

  /** The condition over the detection's search identifiers (in declaration order). */
  static Expr parse(String condition, Map<String, Expr> identifiers) throws UnsupportedRuleException {
    if (condition.indexOf('|') >= 0) {
      throw new UnsupportedRuleException(SigmaRuleSet.AGGREGATION, "aggregation in condition: " + condition.trim());
    }
    ConditionParser p = new ConditionParser(tokenize(condition), identifiers);
    if (p.tokens.isEmpty()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "empty condition");
    Expr e = p.or();
    if (p.pos < p.tokens.size()) {
      throw new UnsupportedRuleException(SigmaRuleSet.INVALID,
          "condition: unexpected '" + p.tokens.get(p.pos) + "' in: " + condition.trim());
    }
    return e;
  }

  private static List<String> tokenize(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(' || c == ')' || Character.isWhitespace(c)) {
        if (w.length() > 0) {
          out.add(w.toString());
          w.setLength(0);
        }
        if (!Character.isWhitespace(c)) out.add(String.valueOf(c));
      } else {
        w.append(c);
      }
    }
    if (w.length() > 0) out.add(w.toString());
    return out;
  }

  private String peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  private boolean keyword(String k) {
    String t = peek();
    if (t != null && t.toLowerCase(Locale.ROOT).equals(k)) {
      pos++;
      return true;
    }
    return false;
  }

  private Expr or() throws UnsupportedRuleException {
    List<Expr> parts = new ArrayList<>(List.of(and()));
    while (keyword("or")) parts.add(and());
    return parts.size() == 1 ? parts.get(0) : new Expr.Or(List.copyOf(parts));
  }

  private Expr and() throws UnsupportedRuleException {
    List<Expr> parts = new ArrayList<>(List.of(unary()));
    while (keyword("and")) parts.add(unary());
    return parts.size() == 1 ? parts.get(0) : new Expr.And(List.copyOf(parts));
  }

  private Expr unary() throws UnsupportedRuleException {
    if (keyword("not")) return new Expr.Not(unary());
    return primary();
  }

  private Expr primary() throws UnsupportedRuleException {
    String t = peek();
    if (t == null) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition ends too early");
    if (t.equals("(")) {
      pos++;
      Expr e = or();
      if (!keyword(")")) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: missing ')'");
      return e;
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (pos + 1 < tokens.size() && tokens.get(pos + 1).equalsIgnoreCase("of")) {
      pos += 2;
      String target = peek();
      if (target == null) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: '" + t + " of' without a target");
      pos++;
      List<Expr> parts = matching(target);
      if (lower.equals("all")) return parts.size() == 1 ? parts.get(0) : new Expr.And(parts);
      int min;
      if (lower.equals("any")) {
        min = 1;
      } else {
        try {
          min = Integer.parseInt(lower);
        } catch (NumberFormatException e) {
          throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: '" + t + " of' is not a quantifier");
        }
        if (min < 1) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: '" + t + " of' must be >= 1");
      }
      return new Expr.AtLeast(min, parts);
    }
    if (lower.equals("near")) {
      throw new UnsupportedRuleException(SigmaRuleSet.AGGREGATION, "near aggregation in condition");
    }
    if (lower.equals("and") || lower.equals("or") || lower.equals(")")) {
      throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: unexpected '" + t + "'");
    }
    pos++;
    Expr e = identifiers.get(t);
    if (e == null) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition names an unknown identifier: " + t);
    return e;
  }

  /** The identifiers a pattern ({@code selection_*}) or {@code them} names, in declaration order. */
  private List<Expr> matching(String target) throws UnsupportedRuleException {
    List<Expr> out = new ArrayList<>();
    if (target.equalsIgnoreCase("them")) {
      identifiers.forEach((name, e) -> {
        if (!name.startsWith("_")) out.add(e);
      });
    } else {
      Pattern p = Pattern.compile(Pattern.quote(target).replace("*", "\\E.*\\Q"));
      identifiers.forEach((name, e) -> {
        if (p.matcher(name).matches()) out.add(e);
      });
    }
    if (out.isEmpty()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "condition: no identifier matches " + target);
    return List.copyOf(out);
  }
}
