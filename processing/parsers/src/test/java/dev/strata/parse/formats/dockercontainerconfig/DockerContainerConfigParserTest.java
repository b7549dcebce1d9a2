package dev.strata.parse.formats.dockercontainerconfig;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class DockerContainerConfigParserTest extends ParserContractTest {

  private static final String ID = "ab".repeat(32);

  @Override
  protected EvidenceParser parser() {
    return new DockerContainerConfigParser();
  }

  @Test
  void envValuesAreNeverKept() throws Exception {
    String cfg = "{\"ID\":\"" + ID + "\",\"Created\":\"2024-01-01T00:00:00Z\",\"State\":{},"
        + "\"Config\":{\"Env\":[\"API_TOKEN=s3cr3t-value\",\"HOME=/root\"],\"Image\":\"x\"}}";
    var out = parse(cfg, Framing.WHOLE, "c/" + ID + "/config.v2.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    var e = out.events.get(0);
    assertThat(e.toString()).doesNotContain("s3cr3t-value").doesNotContain("/root");
    assertThat(e.getUnmapped()).containsEntry("config.env_names", "API_TOKEN,HOME");
    assertThat(e.getRawData()).isNull();
  }

  /**
   * A compose file (or {@code docker run}) naming its image by digest: Config.Image keeps the reference as written, the
   * image's manifest digest is the container's image digest (Image is the image id); a tag alone pins nothing.
   */
  @Test
  void anImagePinnedByDigestIsTheContainersImageDigest() throws Exception {
    String digest = "sha256:" + "a6".repeat(32);
    String cfg = "{\"ID\":\"" + ID + "\",\"Created\":\"2026-11-23T08:00:05Z\",\"State\":{},\"Image\":\"sha256:"
        + "8f".repeat(32) + "\",\"Config\":{\"Image\":\"registry.example.com/shop/web:1.4.2@" + digest + "\"}}";
    var c = parse(cfg, Framing.WHOLE, "c/" + ID + "/config.v2.json").events.get(0).getContainer();
    assertThat(c.getImageDigest()).isEqualTo(digest);
    assertThat(c.getImageUid()).isEqualTo("sha256:" + "8f".repeat(32));
    assertThat(c.getImageName()).isEqualTo("registry.example.com/shop/web:1.4.2@" + digest);
    String tagged = cfg.replace("@" + digest, "");
    assertThat(parse(tagged, Framing.WHOLE, "c/" + ID + "/config.v2.json").events.get(0).getContainer()
        .getImageDigest()).isNull();
  }

  @Test
  void entrypointAndCmdWhenNoPath() throws Exception {
    String cfg = "{\"ID\":\"" + ID + "\",\"Created\":\"2024-01-01T00:00:00Z\",\"State\":{},"
        + "\"Config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"]}}";
    var e = parse(cfg, Framing.WHOLE, "x/config.json").events.get(0);
    assertThat(e.getProcess().getCmdLine()).isEqualTo("/bin/sh -c echo hi");
    assertThat(e.getProcess().getName()).isEqualTo("sh");
  }

  @Test
  void harmlessHostconfigHasNoRisk() throws Exception {
    String hc = "{\"Binds\":null,\"NetworkMode\":\"default\",\"Privileged\":false,\"PidMode\":\"\"}";
    var e = parse(hc, Framing.WHOLE, "x/hostconfig.json").events.get(0);
    assertThat(e.getUnmapped()).doesNotContainKey("strata.risk").containsEntry("hostconfig.network_mode", "default");
    assertThat(e.getContainer()).isNull();
  }

  @Test
  void identicalHostconfigsOfTwoContainersAreTwoEvents() throws Exception {
    String hc = "{\"Binds\":null,\"NetworkMode\":\"default\",\"Privileged\":false}";
    var a = parse(hc, Framing.WHOLE, "containers/" + "a".repeat(64) + "/hostconfig.json").events.get(0);
    var b = parse(hc, Framing.WHOLE, "containers/" + "b".repeat(64) + "/hostconfig.json").events.get(0);
    assertThat(a.getEventId()).matches("[0-9a-f]{64}").isNotEqualTo(b.getEventId());
    assertThat(a.getContainer().getUid()).isEqualTo("a".repeat(64));
  }

  @Test
  void zeroTimesNeverHappened() {
    assertThat(DockerContainerConfigMapper.isTime("0001-01-01T00:00:00Z")).isFalse();
    assertThat(DockerContainerConfigMapper.isTime("")).isFalse();
    assertThat(DockerContainerConfigMapper.isTime(null)).isFalse();
    assertThat(DockerContainerConfigMapper.isTime("2018-05-16T10:51:28.695738065Z")).isTrue();
  }

  @Test
  void publishedPortsAreKeptAsHostPortToContainerPort() throws Exception {
    String hc = "{\"NetworkMode\":\"default\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":"
        + "\"8080\"}],\"9090/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"19090\"}],\"53/udp\":null}}";
    var e = parse(hc, Framing.WHOLE, "x/hostconfig.json").events.get(0);
    assertThat(e.getUnmapped()).containsEntry("hostconfig.port_bindings", "0.0.0.0:8080->80/tcp,:19090->9090/tcp");
    var none = parse("{\"NetworkMode\":\"default\",\"PortBindings\":{}}", Framing.WHOLE, "x/hostconfig.json").events.get(0);
    assertThat(none.getUnmapped()).doesNotContainKey("hostconfig.port_bindings");
  }

  /**
   * A config.v2.json as Docker 20-27 writes it (daemon/container's Container, State, MountPoints, NetworkSettings): an
   * unhealthy HEALTHCHECK, a named volume and a bind, a user-defined network with IPv6, ports published with -p and
   * -P, a paused-flag state.
   */
  @Test
  void healthMountPointsNetworksAndPortsOfDocker20To27() throws Exception {
    String cfg = "{\"StreamConfig\":{},\"State\":{\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
        + "\"RemovalInProgress\":false,\"Dead\":false,\"Pid\":4242,\"ExitCode\":0,\"Error\":\"\","
        + "\"StartedAt\":\"2025-04-01T10:00:01.5Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":{\"Status\":\"unhealthy\","
        + "\"FailingStreak\":3,\"Log\":[{\"Start\":\"2025-04-01T10:05:00Z\",\"End\":\"2025-04-01T10:05:01Z\",\"ExitCode\":0,"
        + "\"Output\":\"ok\"},{\"Start\":\"2025-04-01T10:06:00Z\",\"End\":\"2025-04-01T10:06:01Z\",\"ExitCode\":1,"
        + "\"Output\":\"curl: (7) Failed to connect\"}]}},\"ID\":\"" + ID + "\",\"Created\":\"2025-04-01T10:00:00Z\","
        + "\"Managed\":false,\"Path\":\"/docker-entrypoint.sh\",\"Args\":[\"nginx\"],\"Config\":{\"Hostname\":\"abab\","
        + "\"Image\":\"nginx:1.27\"},\"Image\":\"sha256:" + "8f".repeat(32) + "\",\"NetworkSettings\":{\"Bridge\":\"\","
        + "\"Ports\":{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8080\"},{\"HostIp\":\"::\",\"HostPort\":\"8080\"}],"
        + "\"443/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"32768\"}],\"9000/tcp\":null},\"Networks\":{\"shop\":{"
        + "\"IPAMConfig\":null,\"Aliases\":[\"web\"],\"MacAddress\":\"02:42:ac:12:00:02\",\"NetworkID\":\"n1\","
        + "\"EndpointID\":\"e1\",\"Gateway\":\"172.18.0.1\",\"IPAddress\":\"172.18.0.2\",\"IPPrefixLen\":16,"
        + "\"GlobalIPv6Address\":\"fd00:dead:beef::2\",\"DNSNames\":[\"web\",\"abab\"]}}},\"MountPoints\":{"
        + "\"/data\":{\"Source\":\"\",\"Destination\":\"/data\",\"RW\":true,\"Name\":\"shopdata\",\"Driver\":\"local\","
        + "\"Type\":\"volume\",\"Spec\":{\"Type\":\"volume\",\"Source\":\"shopdata\",\"Target\":\"/data\"}},"
        + "\"/var/run/docker.sock\":{\"Source\":\"/var/run/docker.sock\",\"Destination\":\"/var/run/docker.sock\",\"RW\":false,"
        + "\"Name\":\"\",\"Driver\":\"\",\"Type\":\"bind\",\"Propagation\":\"rprivate\"}},\"RestartCount\":2,"
        + "\"Driver\":\"overlay2\"}";
    var out = parse(cfg, Framing.WHOLE, "c/" + ID + "/config.v2.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(2); // created, started (FinishedAt is Docker's zero time)
    var e = out.events.get(1);
    assertThat(e.getActivityName()).isEqualTo("started");
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("172.18.0.2");
    assertThat(e.getUnmapped())
        .containsEntry("state.health.status", "unhealthy")
        .containsEntry("state.health.failing_streak", "3")
        .containsEntry("state.health.last_exit_code", "1")
        .containsEntry("state.health.last_end", "2025-04-01T10:06:01Z")
        .containsEntry("state.health.last_output", "curl: (7) Failed to connect")
        .containsEntry("state.paused", "false")
        .containsEntry("state.dead", "false")
        .containsEntry("network.shop.ip", "172.18.0.2")
        .containsEntry("network.shop.ipv6", "fd00:dead:beef::2")
        .containsEntry("network.shop.gateway", "172.18.0.1")
        .containsEntry("network.ports", "0.0.0.0:8080->80/tcp,:::8080->80/tcp,0.0.0.0:32768->443/tcp")
        .containsEntry("mounts./data.type", "volume")
        .containsEntry("mounts./data.name", "shopdata")
        .containsEntry("mounts./var/run/docker.sock.type", "bind")
        .containsEntry("mounts./var/run/docker.sock.rw", "false")
        .containsEntry("restart_count", "2");
  }
}
