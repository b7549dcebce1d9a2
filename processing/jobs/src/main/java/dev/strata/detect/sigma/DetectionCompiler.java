package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a rule's {@code detection} section: search identifiers as maps (AND of fields), lists of maps (OR), value
 * lists (OR, AND with {@code all}), keyword lists, and the {@code condition} (a list of conditions is their OR).
 *
 * <p>Modifiers (Sigma specification 2.0 modifiers appendix): {@code contains}, {@code startswith}, {@code endswith},
 * {@code all}, {@code cased}, {@code re} with {@code i} / {@code m} / {@code s}, {@code cidr}, {@code exists},
 * {@code gt} / {@code gte} / {@code lt} / {@code lte}, {@code base64}, {@code base64offset} (with {@code utf16le} /
 * {@code wide} / {@code utf16be} / {@code utf16}), {@code windash}, {@code fieldref} (alone or with startswith /
 * endswith / contains). {@code expand} (placeholders filled by a processing pipeline) and any other modifier make
 * the rule unsupported.
 */
final class DetectionCompiler {
  private DetectionCompiler() {}

  private static final Set<String> KNOWN =
      Set.of("contains", "startswith", "endswith", "all", "cased", "re", "i", "m", "s", "cidr", "exists", "gt", "gte",
          "lt", "lte", "base64", "base64offset", "utf16le", "utf16be", "wide", "utf16", "windash", "fieldref");

  static Expr compile(JsonNode detection) throws UnsupportedRuleException {
    if (detection == null || !detection.isObject()) {
      throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "no detection section");
    }
    Map<String, Expr> identifiers = new LinkedHashMap<>();
    JsonNode condition = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = detection.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "condition" -> condition = e.getValue();
        case "timeframe" -> { } // only meaningful with an aggregation, which the condition then reports
        default -> identifiers.put(e.getKey(), new Expr.Identifier(e.getKey(), identifier(e.getKey(), e.getValue())));
      }
    }
    if (condition == null || condition.isNull()) {
      throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "detection has no condition");
    }
    if (condition.isArray()) {
      List<Expr> any = new ArrayList<>();
      for (JsonNode c : condition) any.add(ConditionParser.parse(c.asText(), identifiers));
      return any.size() == 1 ? any.get(0) : new Expr.Or(List.copyOf(any));
    }
    return ConditionParser.parse(condition.asText(), identifiers);
  }

  private static Expr identifier(String name, JsonNode v) throws UnsupportedRuleException {
    if (v.isObject()) return map(v);
    if (v.isArray()) {
      boolean maps = false;
      boolean scalars = false;
      for (JsonNode el : v) {
        if (el.isObject()) maps = true;
        else scalars = true;
      }
      if (maps && scalars) {
        throw new UnsupportedRuleException(SigmaRuleSet.INVALID, name + ": mixes maps and keywords");
      }
      if (maps) {
        List<Expr> any = new ArrayList<>();
        for (JsonNode el : v) any.add(map(el));
        return any.size() == 1 ? any.get(0) : new Expr.Or(List.copyOf(any));
      }
      return keywords(v, false);
    }
    if (v.isValueNode() && !v.isNull()) return keywords(v, false);
    throw new UnsupportedRuleException(SigmaRuleSet.INVALID, name + ": not a map, list or keyword");
  }

  private static Expr keywords(JsonNode v, boolean all) {
    List<Glob> words = new ArrayList<>();
    if (v.isArray()) {
      for (JsonNode w : v) words.add(Glob.of(w.asText(), false, true, true, true));
    } else {
      words.add(Glob.of(v.asText(), false, true, true, true));
    }
    return new Expr.Keywords(List.copyOf(words), all);
  }

  private static Expr map(JsonNode m) throws UnsupportedRuleException {
    List<Expr> all = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      all.add(field(e.getKey(), e.getValue()));
    }
    if (all.isEmpty()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "empty search identifier");
    return all.size() == 1 ? all.get(0) : new Expr.And(List.copyOf(all));
  }

  /** {@code name|mod|mod: value or [values]}. */
  static Expr field(String key, JsonNode value) throws UnsupportedRuleException {
    String[] parts = key.split("\\|", -1);
    String name = parts[0];
    Mods mods = new Mods();
    for (int i = 1; i < parts.length; i++) mods.add(parts[i].toLowerCase(Locale.ROOT), key);
    mods.check(key);
    List<JsonNode> values = new ArrayList<>();
    if (value.isArray()) value.forEach(values::add);
    else values.add(value);
    if (values.isEmpty()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": empty value list");
    if (name.isEmpty()) {
      // keywords with modifiers ('|all': [...]): only string matching on the whole record
      if (mods.op != null && !Set.of("contains", "startswith", "endswith").contains(mods.op)) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": keywords take only string modifiers");
      }
      return keywords(value, mods.all);
    }
    List<ValueTest> tests = new ArrayList<>();
    for (JsonNode v : values) tests.addAll(tests(key, v, mods));
    return new Expr.FieldTest(name, List.copyOf(tests), mods.all);
  }

  /** The modifiers of one field, validated together. */
  private static final class Mods {
    String op; // contains, startswith, endswith, re, cidr, exists, gt, gte, lt, lte
    boolean fieldref, all, cased, windash, base64, base64offset, reI, reM, reS;
    String encoding; // utf16le, utf16be, utf16

    void add(String m, String key) throws UnsupportedRuleException {
      if (m.equals("expand")) {
        throw new UnsupportedRuleException(SigmaRuleSet.PLACEHOLDER, key + ": expand needs placeholder values from a processing pipeline");
      }
      if (!KNOWN.contains(m)) throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": unknown modifier " + m);
      switch (m) {
        case "all" -> all = true;
        case "cased" -> cased = true;
        case "windash" -> windash = true;
        case "base64" -> base64 = true;
        case "base64offset" -> base64offset = true;
        case "utf16le", "wide" -> encoding = "utf16le";
        case "utf16be" -> encoding = "utf16be";
        case "utf16" -> encoding = "utf16";
        case "i" -> reI = true;
        case "m" -> reM = true;
        case "s" -> reS = true;
        case "fieldref" -> fieldref = true;
        default -> {
          if (op != null) {
            throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": modifiers " + op + " and " + m + " together");
          }
          op = m;
        }
      }
    }

    void check(String key) throws UnsupportedRuleException {
      if ((reI || reM || reS) && !"re".equals(op)) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": i / m / s only with re");
      }
      if (encoding != null && !(base64 || base64offset)) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": " + encoding + " only with base64 / base64offset");
      }
      boolean stringOp = op == null || op.equals("contains") || op.equals("startswith") || op.equals("endswith");
      if ((base64 || base64offset || windash) && !stringOp) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": encodings only with string matching");
      }
      if (fieldref && !stringOp) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": fieldref with " + op);
      }
      if (fieldref && (base64 || base64offset || windash)) {
        throw new UnsupportedRuleException(SigmaRuleSet.UNSUPPORTED_MODIFIER, key + ": fieldref with an encoding");
      }
    }
  }

  private static List<ValueTest> tests(String key, JsonNode v, Mods mods) throws UnsupportedRuleException {
    String op = mods.op;
    if (v.isNull()) {
      if (op != null || mods.fieldref) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": null with a modifier");
      return List.of(new ValueTest.Null());
    }
    if (!v.isValueNode()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": nested value");
    String text = v.asText();
    boolean before = "contains".equals(op) || "endswith".equals(op);
    boolean after = "contains".equals(op) || "startswith".equals(op);
    if (mods.fieldref) return List.of(new ValueTest.FieldRef(text, before, after, mods.cased));
    if (op != null) {
      switch (op) {
        case "exists" -> {
          if (!v.isBoolean() && !text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
            throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": exists takes true or false");
          }
          return List.of(new ValueTest.Exists(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT))));
        }
        case "gt", "gte", "lt", "lte" -> {
          try {
            return List.of(new ValueTest.Compare(op, Double.parseDouble(text)));
          } catch (NumberFormatException e) {
            throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": " + op + " takes a number, not " + text);
          }
        }
        case "re" -> {
          int flags = (mods.reI ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0) | (mods.reM ? Pattern.MULTILINE : 0)
              | (mods.reS ? Pattern.DOTALL : 0);
          try {
            return List.of(new ValueTest.Regex(Pattern.compile(text, flags)));
          } catch (PatternSyntaxException e) {
            throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": regular expression: " + e.getDescription());
          }
        }
        case "cidr" -> {
          String[] p = text.trim().split("/", 2);
          byte[] net = IpLiteral.parse(p[0]);
          int bits;
          try {
            bits = p.length == 2 ? Integer.parseInt(p[1]) : net == null ? -1 : net.length * 8;
          } catch (NumberFormatException e) {
            bits = -1;
          }
          if (net == null || bits < 0 || bits > net.length * 8) {
            throw new UnsupportedRuleException(SigmaRuleSet.INVALID, key + ": not a CIDR block: " + text);
          }
          return List.of(new ValueTest.Cidr(net, bits, text));
        }
        default -> { } // contains / startswith / endswith below
      }
    }
    if (op == null && !mods.windash && !mods.base64 && !mods.base64offset) {
      if (v.isNumber()) return List.of(new ValueTest.Num(v.doubleValue(), text));
      if (v.isBoolean()) return List.of(new ValueTest.Bool(v.booleanValue()));
    }
    List<ValueTest> out = new ArrayList<>();
    for (String variant : mods.windash ? windash(text) : List.of(text)) {
      if (mods.base64 || mods.base64offset) {
        byte[] bytes = encode(variant, mods.encoding);
        List<String> encoded = mods.base64offset ? base64Offsets(bytes) : List.of(Base64.getEncoder().encodeToString(bytes));
        for (String b : encoded) out.add(new ValueTest.Str(Glob.of(b, true, before, after, false)));
      } else {
        out.add(new ValueTest.Str(Glob.of(variant, mods.cased, before, after, true)));
      }
    }
    // the forms of one value (windash / base64offset variants) are alternatives, also under all
    return List.of(out.size() == 1 ? out.get(0) : new ValueTest.AnyOf(List.copyOf(out)));
  }

  private static byte[] encode(String s, String encoding) {
    if (encoding == null) return s.getBytes(StandardCharsets.UTF_8);
    return switch (encoding) {
      case "utf16le" -> s.getBytes(StandardCharsets.UTF_16LE);
      case "utf16be" -> s.getBytes(StandardCharsets.UTF_16BE);
      default -> {
        byte[] body = s.getBytes(StandardCharsets.UTF_16LE);
        byte[] out = new byte[body.length + 2];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xFE;
        System.arraycopy(body, 0, out, 2, body.length);
        yield out;
      }
    };
  }

  /**
   * The three base64 forms of a value found at byte offsets 0, 1, 2 of a longer encoded text: encode with that many
   * leading bytes and keep only the characters that depend on the value alone.
   */
  static List<String> base64Offsets(byte[] value) {
    int[] start = {0, 2, 3};
    int[] endTrim = {0, 3, 2};
    List<String> out = new ArrayList<>(3);
    for (int i = 0; i < 3; i++) {
      byte[] shifted = new byte[value.length + i];
      System.arraycopy(value, 0, shifted, i, value.length);
      for (int k = 0; k < i; k++) shifted[k] = ' ';
      String enc = Base64.getEncoder().encodeToString(shifted);
      int end = enc.length() - endTrim[(value.length + i) % 3];
      if (end > start[i]) out.add(enc.substring(start[i], end));
    }
    return out;
  }

  private static final String DASHES = "-/\u2013\u2014\u2015";

  /**
   * Every form of a value whose option dashes are any of - / – — ―: a {@code -} or {@code /} not after a word
   * character and before one ({@code \B[-/]\b}, as pySigma places them: {@code -enc}, {@code /c}, not {@code x-y}).
   */
  static List<String> windash(String s) {
    List<StringBuilder> out = new ArrayList<>(List.of(new StringBuilder()));
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean option = (c == '-' || c == '/') && (i == 0 || !word(s.charAt(i - 1)))
          && i + 1 < s.length() && word(s.charAt(i + 1));
      if (!option || out.size() > 625) {
        for (StringBuilder b : out) b.append(c);
        continue;
      }
      List<StringBuilder> next = new ArrayList<>(out.size() * DASHES.length());
      for (StringBuilder b : out) {
        for (int d = 0; d < DASHES.length(); d++) next.add(new StringBuilder(b).append(DASHES.charAt(d)));
      }
      out = next;
    }
    return out.stream().map(StringBuilder::toString).toList();
  }

  private static boolean word(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }
}
