package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.deadletter.Stage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EventIdsTest {

  private static String sha(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void eventIdIsTheDocumentedHash() throws Exception {
    String a = "0123456789abcdef".repeat(4);
    assertThat(EventIds.eventId(a, 1234, 5, 0)).isEqualTo(sha(a + "|1234|5|0"));
    assertThat(EventIds.eventId(a, 0, -1, 2)).isEqualTo(sha(a + "|0|-1|2"));
    assertThat(EventIds.eventId(a, Long.MAX_VALUE, Long.MIN_VALUE, 0))
        .isEqualTo(sha(a + "|" + Long.MAX_VALUE + "|" + Long.MIN_VALUE + "|0"));
    EventIds.Generator g = new EventIds.Generator(a);
    assertThat(g.eventId(1234, 5, 0)).isEqualTo(EventIds.eventId(a, 1234, 5, 0));
    assertThat(g.eventId(1234, 5, 1)).isNotEqualTo(g.eventId(1234, 5, 0));
    // one generator, many ids: each is the documented hash (the artifact-hash block is hashed once and reused)
    for (int i = 0; i < 3; i++) assertThat(g.eventId(77, i, 0)).isEqualTo(sha(a + "|77|" + i + "|0"));
    EventIds.Generator shortPrefix = new EventIds.Generator("abc");
    assertThat(shortPrefix.eventId(1, 2, 3)).isEqualTo(sha("abc|1|2|3"));
    assertThat(shortPrefix.eventId(1, 2, 3)).isEqualTo(sha("abc|1|2|3"));
  }

  @Test
  void deadLetterIdIsTheDocumentedHash() throws Exception {
    String a = "ab".repeat(32);
    assertThat(EventIds.deadLetterId(a, 2, 100L, 7L, Stage.PARSE, "malformed_json"))
        .isEqualTo(sha("dl|" + a + "|2|100|7|PARSE|malformed_json"));
    assertThat(EventIds.deadLetterId(a, null, null, null, Stage.PARSE, "x")).isEqualTo(sha("dl|" + a + "||||PARSE|x"));
  }

  @Test
  void keyedIdIsTheHashOfTheNulJoinedParts() throws Exception {
    EventIds.Generator g = new EventIds.Generator("ab".repeat(32));
    assertThat(g.keyedId("k8s_audit", "a1b2", "ResponseComplete"))
        .isEqualTo(sha("k8s_audit\u0000a1b2\u0000ResponseComplete"));
    g.eventId(1, 2, 0); // interleaved use of the same digest does not leak into the next id
    assertThat(g.keyedId("k8s_audit", "é", "x")).isEqualTo(sha("k8s_audit\u0000é\u0000x"));
    assertThat(g.eventId(1, 2, 0)).isEqualTo(EventIds.eventId("ab".repeat(32), 1, 2, 0));
  }
}
