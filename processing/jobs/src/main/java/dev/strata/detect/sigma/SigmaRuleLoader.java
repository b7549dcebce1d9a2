package dev.strata.detect.sigma;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads Sigma rules from files and directories (recursively, {@code *.yml} / {@code *.yaml}, in path order). A file
 * that is not a rule strata can evaluate is listed with the reason (never half-evaluated); a path that does not exist
 * fails (a configuration error).
 */
public final class SigmaRuleLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SigmaRuleLoader() {}

  public static SigmaRuleSet load(List<Path> paths) {
    List<SigmaRule> rules = new ArrayList<>();
    List<SigmaRuleSet.Unsupported> unsupported = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>(); // a rule found twice (overlapping paths) matches once
    for (Path root : paths) {
      if (!Files.exists(root)) throw new IllegalArgumentException("incident.sigma_rules: no such file or directory: " + root);
      List<Path> files;
      try (Stream<Path> s = Files.walk(root)) {
        files = s.filter(Files::isRegularFile).filter(SigmaRuleLoader::isRuleFile).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("incident.sigma_rules: cannot list " + root, e);
      }
      for (Path f : files) {
        try {
          SigmaRule rule = read(f, Files.readString(f));
          if (!ids.add(rule.info().id())) {
            throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "id " + rule.info().id() + " was loaded already");
          }
          rules.add(rule);
        } catch (UnsupportedRuleException e) {
          unsupported.add(new SigmaRuleSet.Unsupported(f.toString(), idOf(f), titleOf(f), e.reason(), e.getMessage()));
        } catch (IOException | RuntimeException e) {
          unsupported.add(new SigmaRuleSet.Unsupported(f.toString(), null, null, SigmaRuleSet.INVALID,
              "cannot read: " + e.getMessage()));
        }
      }
    }
    return new SigmaRuleSet(rules, unsupported);
  }

  static boolean isRuleFile(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yml") || n.endsWith(".yaml");
  }

  /** One rule file's text, compiled. */
  public static SigmaRule read(Path source, String yaml) throws UnsupportedRuleException, IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isMissingNode()) docs.add(d);
      }
    }
    if (docs.isEmpty()) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "empty file");
    JsonNode doc = docs.get(0);
    if (docs.size() > 1 || doc.has("action")) {
      throw new UnsupportedRuleException(SigmaRuleSet.CORRELATION, "rule collection (" + docs.size() + " documents)");
    }
    if (doc.has("correlation")) throw new UnsupportedRuleException(SigmaRuleSet.CORRELATION, "correlation meta-rule");
    if (doc.has("filter")) throw new UnsupportedRuleException(SigmaRuleSet.CORRELATION, "filter meta-rule");
    String title = text(doc, "title");
    if (title == null) throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "no title");
    JsonNode ls = doc.path("logsource");
    String product = text(ls, "product");
    String service = text(ls, "service");
    Optional<String> logSource = LogSources.keyOf(product, service, text(ls, "category"));
    if (logSource.isEmpty()) {
      throw new UnsupportedRuleException(SigmaRuleSet.UNMAPPED_LOGSOURCE,
          "logsource product=" + product + " service=" + service + " category=" + text(ls, "category"));
    }
    Expr detection = DetectionCompiler.compile(doc.get("detection"));
    List<String> tags = new ArrayList<>();
    doc.path("tags").forEach(t -> tags.add(t.asText()));
    String level = text(doc, "level");
    if (level != null && SigmaRule.severityOf(level) == 0) {
      throw new UnsupportedRuleException(SigmaRuleSet.INVALID, "unknown level " + level);
    }
    String id = text(doc, "id");
    SigmaRule.Info info = new SigmaRule.Info(id == null ? source.toString() : id, title, text(doc, "author"),
        level == null ? "medium" : level.toLowerCase(java.util.Locale.ROOT), tags, text(doc, "license"), source.toString());
    return new SigmaRule(info, logSource.get(), detection);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  /** Best effort for the unsupported list: the id / title lines of a file that did not compile. */
  private static String idOf(Path f) {
    return header(f, "id:");
  }

  private static String titleOf(Path f) {
    return header(f, "title:");
  }

  private static String header(Path f, String key) {
    try (Stream<String> lines = Files.lines(f)) {
      return lines.filter(l -> l.startsWith(key)).map(l -> l.substring(key.length()).trim()).findFirst().orElse(null);
    } catch (IOException | UncheckedIOException e) {
      return null;
    }
  }
}
