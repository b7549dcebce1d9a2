package dev.strata.cli;

import dev.strata.detect.sigma.SigmaRule;
import dev.strata.detect.sigma.SigmaRuleLoader;
import dev.strata.detect.sigma.SigmaRuleSet;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code strata sigma check PATH...}: which Sigma rules strata loads and which it cannot evaluate, and why. */
@Command(
    name = "sigma",
    mixinStandardHelpOptions = true,
    description = "Sigma detection rules (see docs/incidents.md, \"Sigma rules\").",
    subcommands = {SigmaCommand.Check.class})
final class SigmaCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "List the rules of these files / directories (recursively) that strata loads (format, level, id, title,",
        "author) and those it cannot evaluate, with the reason. Exit 1 when a rule is unsupported."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Sigma rule files or directories.")
    List<Path> paths;

    @Override
    public Integer call() {
      SigmaRuleSet set = SigmaRuleLoader.load(paths);
      print(set, System.out);
      return set.unsupported().isEmpty() ? 0 : 1;
    }
  }

  static void print(SigmaRuleSet set, PrintStream out) {
    out.println(set.summary());
    int sourceWidth = 14; // the log source column fits the longest one (network_connection, aws/cloudtrail, ...)
    for (SigmaRule r : set.rules()) sourceWidth = Math.max(sourceWidth, String.valueOf(r.logSource()).length());
    String loaded = "loaded       %-" + sourceWidth + "s %-13s %s  %s  (%s)%n";
    for (SigmaRule r : set.rules()) {
      SigmaRule.Info i = r.info();
      out.printf(loaded, r.logSource(), i.level(), i.id(), i.title(), i.credit());
    }
    for (SigmaRuleSet.Unsupported u : set.unsupported()) {
      out.printf("unsupported  %-20s %s  %s: %s%n", u.reason(), u.id() == null ? "-" : u.id(), u.source(), u.detail());
    }
  }
}
