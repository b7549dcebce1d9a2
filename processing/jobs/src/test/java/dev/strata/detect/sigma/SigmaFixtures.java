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
import dev.strata.schema.raw.RawArtifactChunk;
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
    return testResource("fixtures/sigma");
  }

  /** Our own Tetragon / Falco / overlay / docker diff fixtures for the generic Linux log sources (see its README). */
  public static Path runtimeFixtures() {
    return testResource("fixtures/sigma_runtime");
  }

  /** Our own rules of the generic Linux log sources (written for the tests, see its README). */
  public static Path linuxRules() {
    return testResource("sigma/linux");
  }

  private static Path testResource(String dir) {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("src/test/resources/" + dir);
      if (Files.isDirectory(f)) return f;
      f = p.resolve("processing/jobs/src/test/resources/" + dir);
      if (Files.isDirectory(f)) return f;
    }
    throw new IllegalStateException(dir + " not found");
  }

  /** The CloudTrail / audit fixtures' events: collector recognition, the registered parsers. */
  public static List<EvidenceEvent> parse() throws Exception {
    return parse(fixtures());
  }

  /** The events of every file under {@code dir}, as {@code strata parse} reads them (a dead letter fails). */
  public static List<EvidenceEvent> parse(Path dir) throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out = collecting(events);
    for (RawArtifactChunk chunk : chunks(dir)) parser.parse(chunk, out);
    return events;
  }

  /** The chunks the file collector makes of every file under {@code dir} (recognized, framed), in order. */
  public static List<RawArtifactChunk> chunks(Path dir) throws Exception {
    List<RawArtifactChunk> chunks = new ArrayList<>();
    FileCollector.collect(dir, CollectorOptions.builder().build(), ChunkPublisher.forEach(chunks::add, m -> {}),
        EvidencePreserver.NONE, ProgressListener.NONE);
    return chunks;
  }

  /** A parser output adding events to {@code events}; a dead letter fails. */
  public static ChunkOutput collecting(List<EvidenceEvent> events) {
    return new ChunkOutput() {
      @Override
      public void event(EvidenceEvent event) {
        events.add(event);
      }

      @Override
      public void deadLetter(DeadLetter deadLetter) {
        throw new AssertionError("fixture dead-lettered: " + deadLetter.getReason());
      }
    };
  }
}
