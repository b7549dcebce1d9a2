package dev.strata.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.deadletter.Stage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
  private final AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);

  @Test
  void roundTripsARecord() {
    DeadLetter dl = DeadLetter.newBuilder()
        .setDeadLetterId("id-1").setStage(Stage.PARSE).setReason("malformed_json")
        .setOriginal(ByteBuffer.wrap("{oops".getBytes())).setOriginalSha256("abc")
        .setTime(Instant.parse("2024-01-01T00:00:00Z")).build();
    DeadLetter back = codec.decode(codec.encode(dl));
    assertThat(back).isEqualTo(dl);
  }

  @Test
  void garbageIsAClearDecodeError() {
    assertThatThrownBy(() -> codec.decode("not avro".getBytes()))
        .isInstanceOf(AvroCodec.AvroDecodeException.class)
        .hasMessageContaining("DeadLetter");
  }
}
