package dev.strata.infra.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OpenSearchNodeConfigTest {
  private final OpenSearchNodeConfig config =
      new OpenSearchNodeConfig(40100, 40200, Path.of("/d/data"), Path.of("/d/logs"), "512m");

  @Test
  void singleNodeOnLoopbackWithoutDiskThresholds() {
    assertThat(config.settingsArguments())
        .contains(
            "-Ediscovery.type=single-node",
            "-Enetwork.host=127.0.0.1",
            "-Ehttp.port=40100",
            "-Etransport.port=40200",
            "-Epath.data=/d/data",
            "-Epath.logs=/d/logs",
            "-Ecluster.routing.allocation.disk.threshold_enabled=false");
    assertThat(config.url()).isEqualTo("http://127.0.0.1:40100");
  }

  @Test
  void jvmOptionsKeepTheHeapSmallAndJnaOnlyWhenAsked() {
    String normal = config.jvmOptions(false);
    assertThat(normal).contains("-Xms512m\n", "-Xmx512m\n", "-XX:+UseSerialGC\n", "-XX:ErrorFile=/d/logs/");
    assertThat(normal).doesNotContain("jna");
    assertThat(normal).contains("-XX:TieredStopAtLevel=1\n");
    assertThat(new OpenSearchNodeConfig(1, 2, Path.of("/d/data"), Path.of("/d/logs"), "1g",
        OpenSearchNodeConfig.Jit.TIERED).jvmOptions(false)).doesNotContain("TieredStopAtLevel").contains("-Xmx1g\n");
    assertThat(config.jvmOptions(true))
        .contains("-Djna.nosys=true", "-Djna.nounpack=true", "-Djna.boot.library.path=/nonexistent");
  }

  @Test
  void rootRunsAsNobodyWhenPossibleElseWithoutJna() {
    assertThat(RootHandling.choose(false, Optional.of("irrelevant"))).isEqualTo(RootHandling.AS_CURRENT_USER);
    assertThat(RootHandling.choose(true, Optional.empty())).isEqualTo(RootHandling.AS_NOBODY_VIA_SETPRIV);
    assertThat(RootHandling.choose(true, Optional.of("setpriv missing")))
        .isEqualTo(RootHandling.AS_ROOT_WITHOUT_JNA);
  }
}
