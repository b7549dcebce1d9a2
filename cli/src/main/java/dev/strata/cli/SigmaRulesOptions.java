package dev.strata.cli;

import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.detect.sigma.SigmaRuleSet;
import dev.strata.job.incident.IncidentSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --sigma-rules} / {@code --sigma-min-level} of the commands that run incidents; else {@code
 * incident.sigma_rules} / {@code incident.sigma_min_level} from the environment ({@code STRATA_INCIDENT_SIGMA_RULES},
 * comma-separated) or the config file. Default: no Sigma rules.
 */
final class SigmaRulesOptions {
  @Option(names = "--sigma-rules", paramLabel = "PATH", split = ",",
      description = "Sigma rule files or directories (read recursively; Kubernetes audit and CloudTrail rules): a match"
          + " is a signal (env STRATA_INCIDENT_SIGMA_RULES, incident.sigma_rules; default none).")
  List<Path> paths = new ArrayList<>();

  @Option(names = "--sigma-min-level", paramLabel = "LEVEL",
      description = "Lowest Sigma level whose matches open incidents (informational, low, medium, high, critical;"
          + " default medium: lower matches only annotate timeline rows).")
  String minLevel;

  /** Command-line values as component settings (null = unset). */
  Map<String, String> overrides() {
    Map<String, String> o = new HashMap<>();
    o.put("incident.sigma_rules", paths.isEmpty() ? null : String.join(",", paths.stream().map(Path::toString).toList()));
    o.put("incident.sigma_min_level", minLevel);
    return o;
  }

  /** The incident settings with the configured rules loaded; prints what loaded and what not (per reason). */
  static IncidentSettings apply(IncidentSettings base, StrataSettings settings, PrintStream log) {
    String configured = settings.component("incident.sigma_rules");
    String level = settings.component("incident.sigma_min_level");
    if (configured == null || configured.isBlank()) {
      return level == null ? base : base.withSigmaRules(base.sigmaRules(), level);
    }
    List<Path> paths = Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    SigmaRuleSet rules = SigmaRuleLoader.load(paths);
    IncidentSettings out = base.withSigmaRules(rules, level);
    log.println("sigma rules " + paths + ": " + rules.summary() + "; matches of level " + out.sigmaMinLevel()
        + " and above are signals");
    return out;
  }
}
