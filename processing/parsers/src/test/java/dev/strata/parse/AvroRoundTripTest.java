package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.testing.Chunks;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Everything the parsers produce for the fixtures encodes on the wire (Avro single-object) and decodes equal. */
class AvroRoundTripTest {

  @Test
  void fixtureOutputsRoundTrip() throws IOException {
    AvroCodec<EvidenceEvent> events = AvroCodec.of(EvidenceEvent.class);
    AvroCodec<DeadLetter> dead = AvroCodec.of(DeadLetter.class);
    ChunkParser cp = new ChunkParser(ParserRegistry.defaults());
    int n = 0;
    for (String format : ParserRegistry.defaults().formats()) {
      List<Path> inputs;
      try (Stream<Path> s = Files.list(ParserContractTest.fixtureDir(format))) {
        inputs = s.filter(p -> p.toString().endsWith(".input")).toList();
      }
      for (Path in : inputs) {
        for (Framing f : Framing.values()) {
          var r = cp.parse(Chunks.fromFile(in, format, f, in.getFileName().toString()));
          for (EvidenceEvent e : r.events()) {
            assertThat(events.decode(events.encode(e))).isEqualTo(e);
            n++;
          }
          for (DeadLetter d : r.deadLetters()) {
            assertThat(dead.decode(dead.encode(d))).isEqualTo(d);
          }
        }
      }
    }
    assertThat(n).isGreaterThan(50);
  }
}
