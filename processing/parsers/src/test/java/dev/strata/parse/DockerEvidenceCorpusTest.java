package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.testing.Chunks;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.common.Framing;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Docker evidence formats beyond json-file logs and container state files over the shared corpus
 * ({@code <strata.shared.dir>/corpus/docker}), read in place: no dead letters, one event per record.
 */
class DockerEvidenceCorpusTest {

  private static final AvroCodec<EvidenceEvent> CODEC = AvroCodec.of(EvidenceEvent.class);

  static Path corpus() {
    String shared = System.getProperty("strata.shared.dir");
    assertThat(shared).as("system property strata.shared.dir (set by the parent pom)").isNotBlank();
    Path p = Path.of(shared, "corpus", "docker");
    assertThat(p).isDirectory();
    return p;
  }

  /**
   * docker/docs' Docker Desktop dockerd.log excerpt: six lines, three API calls (wait, inspect, start), the last
   * line cut inside its quoted msg by the documentation itself (kept, warned).
   */
  @Test
  void dockerDesktopDaemonLog() throws Exception {
    Path f = corpus().resolve("dockerd_desktop_debug_docs-excerpt.log");
    byte[] content = Files.readAllBytes(f);
    for (Framing framing : new Framing[] {Framing.LINES, Framing.WHOLE}) {
      var res = new ChunkParser(ParserRegistry.defaults())
          .parse(Chunks.fromFile(f, "docker_daemon_log", framing, "docker/" + f.getFileName()));
      assertThat(res.deadLetters()).as("%s", res.deadLetters().stream().map(DeadLetter::getMessage).toList())
          .isEmpty();
      long lines = new String(content, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).count();
      assertThat(res.events()).hasSize((int) lines);
      assertThat(res.events().stream().filter(e -> e.getClassUid() == 6003).map(e -> e.getApi().getOperation()))
          .containsExactly("ContainerWait", "ContainerInspect", "ContainerStart");
      for (EvidenceEvent e : res.events()) {
        assertThat(CODEC.decode(CODEC.encode(e))).isEqualTo(e);
        assertThat(e.getTimeOriginal()).startsWith("2021-07-28T10:21:21.");
        assertThat(e.getTime().toString()).startsWith("2021-07-28T10:21:21.");
        assertThat(e.getSeverityId()).isEqualTo(1);
        assertThat(e.getProcess().getName()).isEqualTo("dockerd");
        assertThat(content[(int) (long) e.getLineage().getByteOffset()]).isEqualTo((byte) '2');
        if (e.getClassUid() == 6003) {
          assertThat(e.getContainer().getUid())
              .isEqualTo("35fc5ec0ffe1ad492d0a4fbf51fd6286a087b89d4dd66367fa3b7aec70b46a40");
          assertThat(e.getApi().getVersion()).isEqualTo("1.41");
        }
      }
      assertThat(res.events().get(5).getUnmapped().get(Events.WARNING_KEY)).contains("unterminated");
      assertThat(res.events().stream().filter(e -> e.getUnmapped().containsKey(Events.WARNING_KEY))).hasSize(1);
    }
  }
}
