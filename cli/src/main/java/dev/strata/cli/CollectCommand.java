package dev.strata.cli;

import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata collect DIR...}: evidence into Kafka, originals into the S3 evidence store. */
@Command(
    name = "collect",
    mixinStandardHelpOptions = true,
    description = {
      "Collect evidence into Kafka and the S3 evidence store.",
      "Takes a mounted disk image, an evidence bundle or a node's root filesystem.",
      "Every artifact is hashed (SHA-256), preserved in the S3 evidence store under its hash, and published to",
      "evidence.raw.v1 in chunks cut at record boundaries. Nothing is written into the evidence. Skipped files",
      "are reported with the reason. Binary systemd journal files (var/log/journal/…/*.journal[~]) are preserved",
      "as found and their entries split by program into journalctl -o json artifacts for the dockerd,",
      "containerd, CRI-O, Podman events and Falco parsers (derived_from the journal; other programs counted)."
    })
final class CollectCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "DIR", description = "Evidence roots (or single files).")
  List<Path> roots;

  @Mixin ServiceOptions services;
  @Mixin ContextOptions context;

  @Option(names = "--run-id", description = "Id of this collection run (default: a new UUID).")
  String runId;

  @Option(names = "--operator", description = "Who collects (default: the OS user).")
  String operator;

  @Option(names = {"-v", "--verbose"}, description = "List every skipped file.")
  boolean verbose;

  @Option(names = "--json", description = "Print the collection report as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    StrataSettings settings = services.settings();
    CollectorOptions.Builder b = context.apply(CollectorOptions.builder(), settings);
    if (runId != null) b.runId(runId);
    if (operator != null) b.operator(operator);
    CollectorOptions options = b.build();
    boolean errors = false;
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(settings))) {
      pipeline.prepare();
      for (Path root : roots) {
        System.err.println("collecting " + root.toAbsolutePath());
        CollectionReport report = pipeline.collect(root, options, Console.collectionProgress(System.err));
        System.err.print(report.summary(verbose));
        if (json) System.out.println(report.toJson());
        errors |= report.hasErrors();
      }
    }
    return errors ? 1 : 0;
  }
}
