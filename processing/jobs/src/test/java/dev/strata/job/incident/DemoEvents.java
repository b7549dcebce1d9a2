package dev.strata.job.incident;

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

/** The demo bundle (examples/demo-bundle) parsed without services, as `strata parse` does. */
final class DemoEvents {
  private DemoEvents() {}

  static Path bundle() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path b = p.resolve("examples/demo-bundle");
      if (Files.isDirectory(b)) return b;
    }
    throw new IllegalStateException("examples/demo-bundle not found above " + Path.of("").toAbsolutePath());
  }

  static List<EvidenceEvent> parse() throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out =
        new ChunkOutput() {
          @Override
          public void event(EvidenceEvent event) {
            events.add(event);
          }

          @Override
          public void deadLetter(DeadLetter deadLetter) {}
        };
    ChunkPublisher publisher = ChunkPublisher.forEach(chunk -> parser.parse(chunk, out), m -> {});
    FileCollector.collect(bundle(), CollectorOptions.builder().build(), publisher, EvidencePreserver.NONE,
        ProgressListener.NONE);
    return events;
  }
}
