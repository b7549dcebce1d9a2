package dev.strata.detect.sigma;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared SigmaHQ corpus (read in place) and our own CloudTrail / audit fixtures for it
 * (src/test/resources/fixtures/sigma, see its README), parsed as {@code strata parse} reads them.
 */
public final class SigmaFixtures {
  public static final Path CORPUS = Path.of("/work/shared/corpus/sigma");

  private SigmaFixtures() {}

  public static Path fixtures() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("src/test/resources/fixtures/sigma");
      if (Files.isDirectory(f)) return f;
      f = p.resolve("processing/jobs/src/test/resources/fixtures/sigma");
      if (Files.isDirectory(f)) return f;
    }
    throw new IllegalStateException("fixtures/sigma not found");
  }

  /** The fixtures' events: collector recognition, the registered parsers. */
  public static List<EvidenceEvent> parse() throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out = new ChunkOutput() {
      @Override
      public void event(EvidenceEvent event) {
        events.add(event);
      }

      @Override
      public void deadLetter(DeadLetter deadLetter) {
        throw new AssertionError("fixture dead-lettered: " + deadLetter.getReason());
      }
    };
    FileCollector.collect(fixtures(), CollectorOptions.builder().build(),
        ChunkPublisher.forEach(chunk -> parser.parse(chunk, out), m -> {}), EvidencePreserver.NONE, ProgressListener.NONE);
    return events;
  }
}
