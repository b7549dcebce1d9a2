package dev.strata.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

  @ParameterizedTest
  @CsvSource({
    "2024-05-01T12:00:00.123456789Z, 2024-05-01T12:00:00.123456Z",
    "2024-05-01T12:00:00Z, 2024-05-01T12:00:00Z",
    "2024-05-01t12:00:00.5z, 2024-05-01T12:00:00.5Z",
    "2024-05-01 12:00:00+02:00, 2024-05-01T10:00:00Z",
    "2024-05-01T00:30:00.000001-05:30, 2024-05-01T06:00:00.000001Z",
    "2022-02-08 09:23:37+11:00, 2022-02-07T22:23:37Z",
    "1969-12-31T23:59:59.999999Z, 1969-12-31T23:59:59.999999Z",
    "2024-02-29T00:00:00Z, 2024-02-29T00:00:00Z",
    "2016-12-31T23:59:60Z, 2017-01-01T00:00:00Z",
    "2016-01-07T16:49:10.0, 2016-01-07T16:49:10Z",
    "2024-05-01T12:00:00+0200, 2024-05-01T10:00:00Z"
  })
  void reads(String text, String expected) {
    long micros = Timestamps.toMicros(text);
    assertThat(Timestamps.toInstant(micros)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "yesterday", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
        "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00ZZ", "2024-05-01T12:00:00+25:00", "2024-05-01", "1714564800",
        "2024-05-01T12:00:00 Z"})
  void rejects(String text) {
    assertThat(Timestamps.toMicros(text)).isEqualTo(Timestamps.INVALID);
  }

  @Test
  void offsetDetection() {
    assertThat(Timestamps.hasOffset("2024-05-01T12:00:00Z")).isTrue();
    assertThat(Timestamps.hasOffset("2024-05-01T12:00:00.1-01:00")).isTrue();
    assertThat(Timestamps.hasOffset("2024-05-01T12:00:00.1")).isFalse();
    assertThat(Timestamps.hasOffset("2024-05-01T12:00:00")).isFalse();
  }

  @Test
  void agreesWithJavaTimeOnRandomInstants() {
    Random r = new Random(3);
    for (int i = 0; i < 10_000; i++) {
      long sec = r.nextLong() % 8_000_000_000L;
      int nanos = r.nextInt(1_000_000_000);
      int offMin = (r.nextInt(24 * 60 * 2) - 24 * 60) / 15 * 15;
      var odt = OffsetDateTime.ofInstant(Instant.ofEpochSecond(sec, nanos), java.time.ZoneOffset.ofTotalSeconds(offMin * 60 % 64800));
      if (odt.getYear() < 0 || odt.getYear() > 9999) continue;
      String text = odt.toString();
      long expected = Timestamps.toMicros(odt.toInstant().minusNanos(nanos % 1000));
      assertThat(Timestamps.toMicros(text)).as(text).isEqualTo(expected);
    }
  }
}
