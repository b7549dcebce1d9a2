package dev.strata.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/strata}. */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = StrataCli.Version.class,
    description = {
      "Container and cloud forensics pipeline: evidence -> Kafka -> Flink -> OpenSearch + S3.",
      ""
    },
    subcommands = {
      DemoCommand.class,
      StackCommand.class,
      CollectCommand.class,
      PullS3Command.class,
      JobCommand.class,
      CorrelateCommand.class,
      IncidentsCommand.class,
      ScopeCommand.class,
      ReportCommand.class,
      ParseCommand.class,
      VerifyCommand.class,
      AgentCommand.class,
      ReceiveCommand.class,
      VerifyTrailCommand.class,
      SigmaCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Run 'strata COMMAND --help' for the options of one command."})
public final class StrataCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new StrataCli());
    cl.setExecutionExceptionHandler(
        (ex, line, parseResult) -> {
          // Expected failures (bad input, bad config, a service down) get one clear line; bugs get the trace.
          if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
              || ex instanceof java.io.UncheckedIOException || ex instanceof dev.strata.ingest.CollectionException) {
            line.getErr().println("strata " + line.getCommandName() + ": " + ex.getMessage());
            if (Boolean.getBoolean("strata.debug")) ex.printStackTrace(line.getErr());
            return 2;
          }
          throw ex;
        });
    return cl;
  }

  /** Version from the jar manifest (set by the build), or "dev". */
  public static final class Version implements CommandLine.IVersionProvider {
    public static String current() {
      String v = StrataCli.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"strata " + current(), "Java " + System.getProperty("java.version")};
    }
  }
}
