package dev.strata.sink.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.sink.testing.SampleEvents;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
  private static final byte[] DATA = "evidence bytes".getBytes(StandardCharsets.UTF_8);
  private static final String SHA = SampleEvents.sha256(DATA);

  @Test
  void matchingBytesPass() throws Exception {
    try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), "k", SHA, DATA.length)) {
      assertThat(in.readAllBytes()).isEqualTo(DATA);
    }
  }

  @Test
  void alteredBytesFailAtEof() {
    byte[] altered = DATA.clone();
    altered[0] ^= 1;
    InputStream in = new VerifyingInputStream(new ByteArrayInputStream(altered), "k", SHA, DATA.length);
    assertThatThrownBy(in::readAllBytes).isInstanceOfSatisfying(EvidenceIntegrityException.class, e -> {
      assertThat(e.expectedSha256()).isEqualTo(SHA);
      assertThat(e.actualSha256()).isEqualTo(SampleEvents.sha256(altered));
    });
  }

  @Test
  void truncationFailsOnSize() {
    InputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA, 0, 5), "k", SHA, DATA.length);
    assertThatThrownBy(in::readAllBytes).isInstanceOf(EvidenceIntegrityException.class).hasMessageContaining("read 5");
  }

  @Test
  void skippedBytesAreHashedToo() throws Exception {
    try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(DATA), "k", SHA, -1)) {
      assertThat(in.skip(4)).isEqualTo(4);
      in.readAllBytes();
    }
  }
}
