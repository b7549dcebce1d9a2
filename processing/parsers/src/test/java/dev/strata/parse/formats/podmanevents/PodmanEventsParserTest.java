package dev.strata.parse.formats.podmanevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class PodmanEventsParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new PodmanEventsParser();
  }

  @Test
  void dockerCompatibleApiStreamIsReadToo() throws Exception {
    String line = "{\"status\":\"start\",\"id\":\"abc\",\"from\":\"alpine\",\"Type\":\"container\",\"Action\":\"start\","
        + "\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"name\":\"c1\",\"image\":\"alpine\"}},\"time\":1714564800,"
        + "\"timeNano\":1714564800123456789}\n";
    var out = parse(line, Framing.LINES, "x/podman-events.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    var e = out.events.get(0);
    assertThat(e.getActivityName()).isEqualTo("start");
    assertThat(e.getContainer().getUid()).isEqualTo("abc");
    assertThat(e.getContainer().getName()).isEqualTo("c1");
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00.123456Z");
  }

  @Test
  void podman5sJsonLinesWithEpochTimesAreRead() throws Exception {
    // podman events --format json since Podman 5.0 (containers/podman#21784): "time" (s) and "timeNano"
    String line = "{\"ID\":\"abc\",\"Image\":\"registry.example.com/inventory/sync:1.3.0\",\"Name\":\"inventory-sync\","
        + "\"Status\":\"health_status\",\"time\":1714564800,\"timeNano\":1714564800123456789,\"Type\":\"container\","
        + "\"health_status\":\"healthy\",\"Attributes\":{\"image\":\"registry.example.com/inventory/sync:1.3.0\"}}\n";
    var out = parse(line, Framing.LINES, "responder/events-root.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    var e = out.events.get(0);
    assertThat(e.getActivityName()).isEqualTo("health_status");
    assertThat(e.getStatusDetail()).isEqualTo("healthy");
    assertThat(e.getContainer().getName()).isEqualTo("inventory-sync");
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00.123456Z");
  }

  /**
   * libpod events (podman-events(1): container statuses exec, exec_died, health_status; events.Event's Attributes
   * execID, ContainerExitCode, HealthStatus) in the three forms: exec sessions are process activity as Docker's.
   */
  @Test
  void execSessionsAreProcessActivityAndHealthIsTheStatusDetailInEveryForm() throws Exception {
    String id = "3c1f2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";
    String file = "{\"ID\":\"" + id + "\",\"Name\":\"web-1\",\"Status\":\"exec\",\"Time\":\"2024-05-01T12:05:00Z\","
        + "\"Type\":\"container\",\"Attributes\":{\"execID\":\"e1e2e3\"}}\n"
        + "{\"ID\":\"" + id + "\",\"Name\":\"web-1\",\"Status\":\"exec_died\",\"Time\":\"2024-05-01T12:05:02Z\","
        + "\"Type\":\"container\",\"ContainerExitCode\":1,\"Attributes\":{\"execID\":\"e1e2e3\"}}\n"
        + "{\"ID\":\"" + id + "\",\"Name\":\"web-1\",\"Status\":\"health_status\",\"HealthStatus\":\"unhealthy\","
        + "\"Time\":\"2024-05-01T12:06:00Z\",\"Type\":\"container\"}\n";
    var out = parse(file, Framing.LINES, "run/libpod/events/events.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(e -> e.getClassUid() + " " + e.getActivityId() + " " + e.getActivityName())
        .containsExactly("1007 1 exec", "1007 2 exec_died", "0 99 health_status");
    assertThat(out.events.get(0).getProcess().getUid()).isEqualTo("e1e2e3");
    assertThat(out.events.get(0).getContainer().getUid()).isEqualTo(id);
    assertThat(out.events.get(1).getProcess().getUid()).isEqualTo("e1e2e3");
    assertThat(out.events.get(1).getStatusCode()).isEqualTo("1");
    assertThat(out.events.get(1).getStatus()).isEqualTo("Failure");
    assertThat(out.events.get(2).getStatusDetail()).isEqualTo("unhealthy");

    String journald = "{\"PODMAN_EVENT\":\"exec\",\"PODMAN_TYPE\":\"container\",\"PODMAN_ID\":\"" + id + "\","
        + "\"PODMAN_NAME\":\"web-1\",\"PODMAN_TIME\":\"2024-05-01T12:05:00Z\",\"PODMAN_LABELS\":\"{\\\"execID\\\":"
        + "\\\"e1e2e3\\\"}\",\"_PID\":\"4242\",\"_COMM\":\"podman\",\"_CMDLINE\":\"podman exec web-1 sh\"}\n"
        + "{\"PODMAN_EVENT\":\"health_status\",\"PODMAN_TYPE\":\"container\",\"PODMAN_ID\":\"" + id + "\","
        + "\"PODMAN_TIME\":\"2024-05-01T12:06:00Z\",\"PODMAN_HEALTH_STATUS\":\"healthy\"}\n";
    out = parse(journald, Framing.LINES, "journal/podman.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events.get(0).getClassUid()).isEqualTo(1007);
    assertThat(out.events.get(0).getProcess().getUid()).isEqualTo("e1e2e3");
    assertThat(out.events.get(0).getProcess().getCmdLine()).isEqualTo("podman exec web-1 sh");
    assertThat(out.events.get(1).getStatusDetail()).isEqualTo("healthy");

    String text = "2024-05-01 12:05:00.1 +0000 UTC container exec " + id + " (image=alpine, name=web-1, execID=e1e2e3)\n"
        + "2024-05-01 12:06:00 +0000 UTC container health_status " + id + " (image=alpine, name=web-1, "
        + "health_status=starting)\n";
    out = parse(text, Framing.LINES, "podman-events.txt");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events.get(0).getClassUid()).isEqualTo(1007);
    assertThat(out.events.get(0).getProcess().getUid()).isEqualTo("e1e2e3");
    assertThat(out.events.get(1).getStatusDetail()).isEqualTo("starting");
  }

  @Test
  void textLineWithoutZoneOffsetIsMalformed() throws Exception {
    var out = parse("2024-05-01 12:00:00 CEST container create abc (image=x, name=y)\n", Framing.LINES, "x");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).hasSize(1);
  }

  @Test
  void hugeTextLineIsOneEventOrOneRejection() throws Exception {
    String big = "2024-05-01 12:00:00 +0000 UTC container create abc (image=x, name=y, label=" + "v".repeat(2_000_000)
        + ")\n";
    var out = parse(big, Framing.LINES, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped().get("attributes.label")).hasSize(64 * 1024);
    assertThat(out.events.get(0).getRawData().length()).isLessThanOrEqualTo(16 * 1024);
  }
}
