package dev.strata.parse.formats.libpodstate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

/** Podman's state database's objects (the fixture case {@code libpod_state/state} covers the real engines' lines). */
class LibpodStateParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new LibpodStateParser();
  }

  private static final String ID = "ab".repeat(32);

  @Test
  void aRunningContainersFinishedTimeIsAPreviousRunsAndNotAnEnd() throws Exception {
    // restarted: finishedTime (the last run's end) is before startedTime; the container is running (3)
    var out = parse("{\"libpod_state\":\"sqlite\",\"object\":\"container\",\"id\":\"" + ID + "\",\"name\":\"api\","
        + "\"config\":{\"id\":\"" + ID + "\",\"createdTime\":\"2026-11-20T06:00:00Z\"},\"state\":{\"state\":3,"
        + "\"startedTime\":\"2026-11-20T08:00:00Z\",\"finishedTime\":\"2026-11-20T07:59:58Z\"},\"state_code\":3}\n",
        Framing.LINES, "db.sql#libpod_state");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getActivityName()).containsExactly("created", "started");
  }

  @Test
  void aContainerWithoutAnyTimeIsKeptAtTheObservedTimeWithAWarning() throws Exception {
    var out = parse("{\"libpod_state\":\"bolt\",\"object\":\"container\",\"id\":\"" + ID + "\",\"config\":{\"name\":"
        + "\"x\",\"createdTime\":\"0001-01-01T00:00:00Z\"},\"state\":{\"state\":1}}\n", Framing.LINES, "b#libpod_state");
    assertThat(out.events).singleElement().satisfies(e -> {
      assertThat(e.getActivityName()).isEqualTo("created");
      assertThat(e.getContainer().getName()).isEqualTo("x");
      assertThat(e.getUnmapped()).containsEntry("podman.state", "configured").containsKey("strata.warning");
    });
  }

  @Test
  void theSpecsHostNamespacesAndBindsAreTheDockerRiskHints() throws Exception {
    var out = parse("{\"libpod_state\":\"sqlite\",\"object\":\"container\",\"id\":\"" + ID + "\",\"config\":{"
        + "\"privileged\":true,\"networkMode\":\"host\",\"createdTime\":\"2026-11-20T06:00:00Z\",\"spec\":{\"linux\":"
        + "{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}]},\"mounts\":[{\"type\":\"bind\",\"source\":\"/\","
        + "\"destination\":\"/host\"},{\"type\":\"bind\",\"source\":\"/run/podman/podman.sock\",\"destination\":"
        + "\"/run/podman/podman.sock\"}]}},\"state\":{\"state\":2}}\n", Framing.LINES, "db.sql#libpod_state");
    assertThat(out.events).singleElement().satisfies(e -> assertThat(e.getUnmapped().get("strata.risk"))
        .isEqualTo("privileged,host_pid,host_network,host_ipc,host_root_bind"));
  }

  @Test
  void anObjectKindItDoesNotMapGivesNothing() throws Exception {
    var out = parse("{\"libpod_state\":\"sqlite\",\"object\":\"volume\",\"id\":\"v\"}\n", Framing.LINES, "x");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).isEmpty();
  }

  @Test
  void aBoltExitCodeIsTimedByItsMarshalledTime() throws Exception {
    var out = parse("{\"libpod_state\":\"bolt\",\"object\":\"exit_code\",\"id\":\"" + ID + "\",\"exit_code\":1,"
        + "\"time\":\"2025-03-05T18:00:00.250431902Z\",\"source\":{\"bucket\":\"exit-code/" + ID + "\"}}\n",
        Framing.LINES, "bolt_state.db#libpod_state");
    assertThat(out.events).singleElement().satisfies(e -> {
      assertThat(e.getActivityName()).isEqualTo("finished");
      assertThat(e.getTime().toString()).isEqualTo("2025-03-05T18:00:00.250431Z");
      assertThat(e.getStatus()).isEqualTo("Failure");
      assertThat(e.getUnmapped()).containsEntry("libpod.source", "exit-code/" + ID);
    });
  }
}
