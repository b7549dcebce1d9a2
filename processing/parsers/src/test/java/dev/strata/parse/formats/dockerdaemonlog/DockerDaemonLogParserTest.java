package dev.strata.parse.formats.dockerdaemonlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.daemonlog.DaemonLogReader;
import dev.strata.parse.daemonlog.Logfmt;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class DockerDaemonLogParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerDaemonLogParser();
  }

  private DaemonLogReader.Counts counts(String content) {
    return new DockerDaemonLogParser()
        .parseCounting(Chunks.single(content, format(), Framing.LINES, "var/log/syslog"), new CollectingOutput());
  }

  @Test
  void otherProgramsInAMixedSyslogAreSkippedAndCounted() throws Exception {
    String syslog = Files.readString(fixtureDir(format()).resolve("syslog.input"), StandardCharsets.UTF_8);
    assertThat(counts(syslog)).isEqualTo(new DaemonLogReader.Counts(5, 1, 2));
    String journal = Files.readString(fixtureDir(format()).resolve("journald.input"), StandardCharsets.UTF_8);
    assertThat(counts(journal)).isEqualTo(new DaemonLogReader.Counts(4, 1, 1));
  }

  /**
   * dockerd at debug level logs a POST body after its Calling line ({@code form data: %s}, moby
   * api/server/middleware/debug.go, keys sorted by json.Marshal): a create request through the Docker socket with a
   * privileged, host-PID container binding the host's root says so, before the container exists.
   */
  @Test
  void aContainerCreateRequestsBodyCarriesItsHostConfigRisks() throws Exception {
    String body = "{\\\"Cmd\\\":[\\\"chroot\\\",\\\"/host\\\"],\\\"HostConfig\\\":{\\\"Binds\\\":[\\\"/:/host\\\"],"
        + "\\\"NetworkMode\\\":\\\"host\\\",\\\"PidMode\\\":\\\"host\\\",\\\"Privileged\\\":true},\\\"Image\\\":\\\"alpine:3.19\\\"}";
    String log = "time=\"2026-11-23T09:14:01.350000000Z\" level=debug msg=\"Calling POST /v1.44/containers/create\"\n"
        + "time=\"2026-11-23T09:14:01.350400000Z\" level=debug msg=\"form data: " + body + "\"\n"
        + "time=\"2026-11-23T09:14:02.000000000Z\" level=debug msg=\"form data: {\\\"Image\\\":\\\"nginx\\\","
        + "\\\"HostConfig\\\":{\\\"NetworkMode\\\":\\\"bridge\\\"}}\"\n"
        + "time=\"2026-11-23T09:14:03.000000000Z\" level=debug msg=\"form data: {cut\"\n";
    CollectingOutput out = parse(log, Framing.LINES, "var/log/docker.log");
    assertThat(out.rejections).isEmpty();
    var create = out.events.get(1);
    assertThat(create.getUnmapped()).containsEntry("strata.risk", "privileged,host_pid,host_network,host_root_bind")
        .containsEntry("hostconfig.binds", "/:/host").containsEntry("dockerd.form.image", "alpine:3.19");
    assertThat(create.getContainer().getImageName()).isEqualTo("alpine:3.19");
    assertThat(create.getContainer().getUid()).as("the response names it, not the request").isNull();
    assertThat(create.getMessage()).startsWith("container create request (privileged");
    assertThat(out.events.get(2).getUnmapped()).doesNotContainKey("strata.risk")
        .containsEntry("hostconfig.network_mode", "bridge");
    assertThat(out.events.get(3).getUnmapped()).doesNotContainKey("dockerd.form.image");
  }

  /**
   * The create request's response (the new id) is not logged; the client's next call by that id is: {@code docker
   * run} attaches, waits and starts, compose and curl start. The first start / attach / wait of an id this log had
   * not named, within a minute of an untied create, is that create's container.
   */
  @Test
  void aCreateRequestIsTiedToTheContainerItsClientStartsNext() throws Exception {
    String priv = "6c78d01a635841c15d6eaea2ab077999083c97f179ccee226da26d0cd422e117";
    String web = "aac91a7075280a03cd36c035690f3dc97b5ad2fa12b33f80ad3991c9fed5333a";
    String bill = "1baffb746802dcaea8476dccba48b1ae037322e725ed09ea6fd4e27c66a133c3";
    String body = "{\\\"HostConfig\\\":{\\\"Binds\\\":[\\\"/:/host\\\"],\\\"Privileged\\\":true},"
        + "\\\"Image\\\":\\\"alpine:3.19\\\"}";
    String log = String.join("\n",
        // compose creates two containers, then starts both: taken in order, said to be ambiguous
        "time=\"2026-11-23T08:00:05Z\" level=debug msg=\"Calling POST /v1.44/containers/create?name=shop-web-1\"",
        "time=\"2026-11-23T08:00:05.5Z\" level=debug msg=\"Calling POST /v1.44/containers/create?name=billing-worker-1\"",
        "time=\"2026-11-23T08:00:06Z\" level=debug msg=\"Calling POST /v1.44/containers/" + web + "/start\"",
        "time=\"2026-11-23T08:00:07Z\" level=debug msg=\"Calling POST /v1.44/containers/" + bill + "/start\"",
        // a monitoring agent's inspect and a restart of a known container tie nothing
        "time=\"2026-11-23T09:14:01.350Z\" level=debug msg=\"Calling POST /v1.44/containers/create\"",
        "time=\"2026-11-23T09:14:01.3504Z\" level=debug msg=\"form data: " + body + "\"",
        "time=\"2026-11-23T09:14:01.6Z\" level=debug msg=\"Calling GET /v1.44/containers/" + bill + "/json\"",
        "time=\"2026-11-23T09:14:01.7Z\" level=debug msg=\"Calling POST /v1.44/containers/" + web + "/start\"",
        "time=\"2026-11-23T09:14:02.051Z\" level=debug msg=\"Calling POST /v1.44/containers/" + priv + "/start\"",
        // a start long after any create: no tie
        "time=\"2026-11-23T09:20:00Z\" level=debug msg=\"Calling POST /v1.44/containers/create\"",
        "time=\"2026-11-23T09:30:00Z\" level=debug msg=\"Calling POST /v1.44/containers/" + "ab".repeat(32) + "/start\"")
        + "\n";
    CollectingOutput out = parse(log, Framing.LINES, "var/log/docker.log");
    assertThat(out.rejections).isEmpty();
    var webStart = out.events.get(2);
    assertThat(webStart.getUnmapped()).containsEntry("dockerd.created_by.name", "shop-web-1")
        .containsEntry("dockerd.created_by.event_id", out.events.get(0).getEventId())
        .containsEntry("dockerd.created_by.confidence", "next_call_ambiguous");
    assertThat(out.events.get(3).getUnmapped()).containsEntry("dockerd.created_by.name", "billing-worker-1")
        .containsEntry("dockerd.created_by.confidence", "next_call");
    assertThat(out.events.get(6).getUnmapped()).doesNotContainKey("dockerd.created_by.event_id");
    assertThat(out.events.get(7).getUnmapped()).doesNotContainKey("dockerd.created_by.event_id");
    var privStart = out.events.get(8);
    assertThat(privStart.getContainer().getUid()).isEqualTo(priv);
    assertThat(privStart.getUnmapped())
        .containsEntry("dockerd.created_by.event_id", out.events.get(5).getEventId())
        .containsEntry("dockerd.created_by.time", "2026-11-23T09:14:01.350Z")
        .containsEntry("dockerd.created_by.image", "alpine:3.19")
        .containsEntry("dockerd.created_by.risk", "privileged,host_root_bind")
        .containsEntry("dockerd.created_by.confidence", "next_call")
        .doesNotContainKey("strata.risk");
    assertThat(privStart.getMessage()).contains("the container the create request of 2026-11-23T09:14:01.350Z made",
        "privileged");
    assertThat(out.events.get(10).getUnmapped()).doesNotContainKey("dockerd.created_by.event_id");
  }

  @Test
  void logfmtQuotingAndEscapes() {
    var r = Logfmt.parse("a=1 b=\"x y\" c=\"q\\\"u\\\\o\\x41\\u00e9\\101\" flag d= e=\"open");
    assertThat(r.fields()).containsEntry("a", "1").containsEntry("b", "x y").containsEntry("c", "q\"u\\oA\u00e9A")
        .containsEntry("flag", "").containsEntry("d", "").containsEntry("e", "open");
    assertThat(r.unterminated()).isTrue();
    assertThat(Logfmt.parse("k=v \"stray").complete()).isFalse();
  }

  @Test
  void apiRoutesNameTheirOperations() {
    record C(String msg, String op, int activity, String type, String id, String image) {}
    for (C c : new C[] {
      new C("Calling POST /v1.41/containers/create?name=x", "ContainerCreate", 1, "container", null, null),
      new C("Calling POST /v1.41/containers/abc/start", "ContainerStart", 99, "container", "abc", null),
      new C("Calling POST /containers/abc/exec", "ContainerExec", 1, "container", "abc", null),
      new C("Calling POST /v1.41/exec/123/start", "ExecStart", 99, "exec", "123", null),
      new C("Calling GET /v1.41/containers/abc/json", "ContainerInspect", 2, "container", "abc", null),
      new C("Calling DELETE /v1.41/containers/abc?force=1", "ContainerDelete", 4, "container", "abc", null),
      new C("Calling POST /v1.41/containers/abc/wait?condition=removed", "ContainerWait", 99, "container", "abc",
          null),
      new C("Calling POST /v1.41/images/create?fromImage=alpine&tag=latest", "ImageCreate", 1, "image", null,
          "alpine:latest"),
      new C("Calling POST /v1.41/images/create?fromImage=alpine%40sha256%3Aab&tag=", "ImageCreate", 1, "image",
          null, "alpine@sha256:ab"),
      new C("Calling GET /v1.41/images/quay.io/org/app:2/json", "ImageInspect", 2, "image", "quay.io/org/app:2",
          "quay.io/org/app:2"),
      new C("Calling HEAD /_ping", "SystemPing", 2, "system", null, null),
      new C("Calling POST /v1.41/networks/create", "NetworkCreate", 1, "network", null, null),
      new C("Calling POST /v1.41/containers/prune", "ContainerPrune", 4, "container", null, null),
      new C("Calling POST /v1.41/build?t=app:1", "ImageBuild", 1, "image", null, "app:1"),
    }) {
      DockerApiCall a = DockerApiCall.parse(c.msg());
      assertThat(a).as(c.msg()).isNotNull();
      assertThat(a.operation()).as(c.msg()).isEqualTo(c.op());
      assertThat(a.activityId()).as(c.msg()).isEqualTo(c.activity());
      assertThat(a.resourceType()).as(c.msg()).isEqualTo(c.type());
      assertThat(a.resourceId()).as(c.msg()).isEqualTo(c.id());
      assertThat(a.imageName()).as(c.msg()).isEqualTo(c.image());
    }
    assertThat(DockerApiCall.parse("Calling it a day")).isNull();
  }

  @Test
  void logrusTextFormatterSplitsMessageFromFields() {
    assertThat(DaemonLogReader.fieldsStart("Loading containers: start.                   ")).isEqualTo(-1);
    String rest = "a message with a=b inside                    k=v x=\"y z\"";
    assertThat(rest.substring(DaemonLogReader.fieldsStart(rest))).isEqualTo("k=v x=\"y z\"");
  }

  @Test
  void hugeLineIsOneEventAndACutLineIsRecordTooLarge() throws Exception {
    String big = "time=\"2024-05-01T12:00:00Z\" level=info msg=\"" + "x".repeat(3 << 20) + "\"\n";
    var out = parse(big + "time=\"2024-05-01T12:00:01Z\" level=info msg=\"next\"\n", Framing.LINES, "docker.log");
    assertThat(out.events).hasSize(2);
    assertThat(out.events.get(0).getMessage()).hasSize(3 << 20);
    assertThat(out.events.get(0).getRawData().length()).isLessThanOrEqualTo(16 * 1024);
    byte[] cut = ("time=\"2024-05-01T12:00:00Z\" level=info msg=\"ok\"\ntime=\"2024-05-01T12:00:01Z\" level=info msg=\"xx")
        .getBytes(StandardCharsets.UTF_8);
    var chunk = Chunks.chunk(cut, "ab".repeat(32), format(), Framing.LINES, "docker.log", 0, 1, 0, 1, 0, true, cut);
    var res = parse(chunk);
    assertThat(res.events).hasSize(1);
    assertThat(res.rejections).hasSize(1);
    assertThat(res.rejections.get(0).reason().code()).isEqualTo("record_too_large");
  }

  @Test
  void journaldEntryWithoutMessageTextIsKept() throws Exception {
    var out = parse("{\"__REALTIME_TIMESTAMP\":\"1714564800000000\",\"_SYSTEMD_UNIT\":\"docker.service\",\"MESSAGE\":null}\n",
        Framing.LINES, "journal-docker.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getMessage()).isEmpty();
    assertThat(out.events.get(0).getTime().toString()).isEqualTo("2024-05-01T12:00:00Z");
  }
}
