package dev.strata.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StartTimeoutTest {
  @AfterEach
  void clear() {
    System.clearProperty(EmbeddedStack.START_TIMEOUT_PROPERTY);
  }

  @Test
  void theBoundComesFromThePropertyElseTheEnvironmentElseFiveMinutes() {
    if (System.getenv(EmbeddedStack.START_TIMEOUT_ENV) == null) {
      assertThat(EmbeddedStack.Builder.defaultStartTimeout()).isEqualTo(Duration.ofSeconds(300));
    }
    System.setProperty(EmbeddedStack.START_TIMEOUT_PROPERTY, " 45 ");
    assertThat(EmbeddedStack.Builder.defaultStartTimeout()).isEqualTo(Duration.ofSeconds(45));
    System.setProperty(EmbeddedStack.START_TIMEOUT_PROPERTY, "2m");
    assertThatThrownBy(EmbeddedStack.Builder::defaultStartTimeout)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STRATA_STACK_START_TIMEOUT")
        .hasMessageContaining("'2m'");
    System.setProperty(EmbeddedStack.START_TIMEOUT_PROPERTY, "0");
    assertThatThrownBy(EmbeddedStack.Builder::defaultStartTimeout).isInstanceOf(IllegalArgumentException.class);
  }
}
