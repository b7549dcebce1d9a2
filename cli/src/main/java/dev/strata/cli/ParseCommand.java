package dev.strata.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.strata.ingest.CollectionReport;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import dev.strata.sink.AvroJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata parse PATH...}: triage without services. The same recognition and chunking as the collector, the
 * same parsers as the Flink job; events go to stdout as JSON lines, the summary to stderr.
 */
@Command(
    name = "parse",
    mixinStandardHelpOptions = true,
    description = {
      "Parse evidence files or directories without any service.",
      "Normalized events are printed as JSON lines on stdout; a per-source summary (events, dead letters with",
      "reasons, skipped files) on stderr. Exit code 0 when every record parsed, 1 when there were dead letters."
    })
final class ParseCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories (an evidence root is walked at any depth).")
  List<Path> paths;

  @Option(names = "--dead-letters", description = "Also print dead letters on stdout, as JSON lines with \"dead_letter\": true.")
  boolean printDeadLetters;

  @Option(names = {"-q", "--quiet"}, description = "Print only the summary.")
  boolean quiet;

  @Option(names = {"-v", "--verbose"}, description = "List skipped files and every dead letter in the summary.")
  boolean verbose;

  @Mixin ContextOptions context;

  @Option(names = "--config", paramLabel = "FILE", description = {
      "YAML config file (default: $STRATA_CONFIG); parse reads only its vpc_flow section. See cli/README.md."})
  Path config;

  @Override
  public Integer call() throws IOException {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    ParseSummary summary = new ParseSummary();
    OutputStream stdout = new BufferedOutputStream(System.out, 1 << 16);
    JsonGenerator json = new JsonFactory().createGenerator(stdout, JsonEncoding.UTF8);
    json.setRootValueSeparator(null);
    ChunkOutput out =
        new ChunkOutput() {
          @Override
          public void event(EvidenceEvent event) {
            summary.event(event.getSourceFormat());
            if (!quiet) writeLine(json, stdout, event, false);
          }

          @Override
          public void deadLetter(DeadLetter deadLetter) {
            summary.deadLetter(deadLetter);
            if (printDeadLetters && !quiet) writeLine(json, stdout, deadLetter, true);
          }
        };
    ChunkPublisher publisher = ChunkPublisher.forEach(chunk -> { summary.chunk(chunk); parser.parse(chunk, out); }, m -> {});
    CollectorOptions options =
        context.apply(CollectorOptions.builder(), StrataSettings.fromEnvironment(config, Map.of())).build();
    PrintStream err = System.err;
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException(path + ": no such file or directory");
      }
      CollectionReport report =
          Files.isDirectory(path)
              ? FileCollector.collect(path, options, publisher, EvidencePreserver.NONE, ProgressListener.NONE)
              : FileCollector.collectFile(path, options, publisher, EvidencePreserver.NONE, ProgressListener.NONE);
      summary.collection(report);
    }
    json.flush();
    stdout.flush();
    err.print(summary.render(verbose));
    return summary.deadLetters() == 0 ? 0 : 1;
  }

  private static void writeLine(JsonGenerator json, OutputStream stdout, org.apache.avro.generic.IndexedRecord record, boolean deadLetter) {
    try {
      json.writeStartObject();
      if (deadLetter) json.writeBooleanField("dead_letter", true);
      AvroJson.writeFields(json, record, name -> true);
      json.writeEndObject();
      json.flush();
      stdout.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Counts per source type, dead letters per reason, skipped files per reason. */
  static final class ParseSummary {
    private final Map<String, long[]> bySource = new TreeMap<>(); // [chunks, events, deadLetters]
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final List<DeadLetter> deadLetterList = new java.util.ArrayList<>();
    private final List<CollectionReport> reports = new java.util.ArrayList<>();

    void chunk(RawArtifactChunk chunk) {
      bySource.computeIfAbsent(chunk.getSourceType(), k -> new long[3])[0]++;
    }

    void event(String source) {
      bySource.computeIfAbsent(source, k -> new long[3])[1]++;
    }

    void deadLetter(DeadLetter dl) {
      bySource.computeIfAbsent(String.valueOf(dl.getSourceType()), k -> new long[3])[2]++;
      deadLettersByReason.merge(dl.getReason(), 1L, Long::sum);
      if (deadLetterList.size() < 1000) deadLetterList.add(dl);
    }

    void collection(CollectionReport report) {
      reports.add(report);
    }

    long deadLetters() {
      return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    long events() {
      return bySource.values().stream().mapToLong(v -> v[1]).sum();
    }

    String render(boolean verbose) {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("%-22s %8s %10s %12s%n", "source", "chunks", "events", "dead letters"));
      bySource.forEach((k, v) -> sb.append(String.format("%-22s %8d %10d %12d%n", k, v[0], v[1], v[2])));
      sb.append(String.format("%-22s %8d %10d %12d%n", "total",
          bySource.values().stream().mapToLong(v -> v[0]).sum(), events(), deadLetters()));
      if (!deadLettersByReason.isEmpty()) {
        sb.append("dead letters by reason: ").append(deadLettersByReason).append('\n');
        for (DeadLetter dl : verbose ? deadLetterList : deadLetterList.subList(0, Math.min(10, deadLetterList.size()))) {
          sb.append(String.format("  %s %s line %s offset %s: %s%n", dl.getReason(), dl.getOrigin(),
              dl.getLineNumber(), dl.getByteOffset(), dl.getMessage()));
        }
      }
      for (CollectionReport r : reports) {
        if (r.skippedTotal() > 0) {
          sb.append("skipped under ").append(r.evidenceRoot()).append(": ").append(r.skipCounts()).append('\n');
          if (verbose) r.skipped().forEach(s -> sb.append("  ").append(s.reason()).append(' ').append(s.path())
              .append(s.detail() == null ? "" : " (" + s.detail() + ")").append('\n'));
        }
        r.warnings().forEach(w -> sb.append("warning ").append(w.code()).append(' ').append(w.path()).append(": ").append(w.message()).append('\n'));
      }
      return sb.toString();
    }
  }
}
