package dev.strata.parse.formats.dockerevents;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.Chunks;
import dev.strata.schema.common.Framing;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DockerEventsParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new DockerEventsParser();
  }

  @Test
  void hugeAttributeIsCutAndATruncatedLineIsRecordTooLarge() throws Exception {
    String big = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"l\":\""
        + "v".repeat(2 << 20) + "\"}},\"timeNano\":1}\n";
    var out = parse(big, Framing.LINES, "docker-events.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped().get("attributes.l")).hasSize(64 * 1024);
    byte[] cut = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"x\",\"Attr".getBytes(StandardCharsets.UTF_8);
    var res = parse(Chunks.chunk(cut, "ab".repeat(32), format(), Framing.LINES, "e", 0, 1, 0, 1, 0, true, cut));
    assertThat(res.events).isEmpty();
    assertThat(res.rejections).singleElement().satisfies(r -> assertThat(r.reason().code()).isEqualTo("record_too_large"));
  }

  /**
   * Plain {@code docker events} output (docker CLI prettyPrintEvent: {@code <time RFC3339NanoFixed> <Type> <Action>
   * <Actor.ID> (<k=v>, ... sorted)}): the same events as the JSON messages, for every object type of the Engine API's
   * events (container, image, volume, network, daemon, plugin, service, node, secret, config, builder).
   */
  @Test
  void textOutputMapsLikeTheJsonMessages() throws Exception {
    String id = "7d".repeat(32);
    String text = String.join("\n",
        "2024-05-01T14:00:00.123456789+02:00 container create " + id + " (image=alpine:3, io.kubernetes.pod.name=web-1, "
            + "io.kubernetes.pod.namespace=prod, name=web, org.label=a, b)",
        "2024-05-01T14:00:01.000000000+02:00 container exec_start: sh -c id (whoami) " + id
            + " (execID=e1, image=alpine:3, name=web)",
        "2024-05-01T14:00:02.000000000+02:00 container die " + id + " (execDuration=3, exitCode=137, image=alpine:3, "
            + "name=web)",
        "2024-05-01T14:00:03.000000000+02:00 container health_status: unhealthy " + id + " (image=alpine:3, name=web)",
        "2024-05-01T14:00:04.000000000+02:00 image pull alpine:3 (name=alpine)",
        "2024-05-01T14:00:05.000000000+02:00 network connect " + "ab".repeat(32) + " (container=" + id
            + ", name=bridge, type=bridge)",
        "2024-05-01T14:00:06.000000000+02:00 volume mount data (container=" + id + ", destination=/data, driver=local, "
            + "propagation=, read/write=true)",
        "2024-05-01T14:00:07.000000000Z daemon reload " + "cd".repeat(16) + " (name=node-7)",
        "2024-05-01T14:00:08.000000000Z plugin enable 6a0f (name=vieux/sshfs:latest)",
        "2024-05-01T14:00:09.000000000Z service update svc1 (name=api, updatestate.new=updating)",
        "2024-05-01T14:00:10.000000000Z node update node1 (name=worker-1, state.new=ready, state.old=down)",
        "2024-05-01T14:00:11.000000000Z secret create sec1 (name=db-password)",
        "2024-05-01T14:00:12.000000000Z config remove cfg1 (name=app.conf)",
        "2024-05-01T14:00:13.000000000Z builder prune  (reclaimed=1024)",
        "not an event line") + "\n";
    var out = parse(text, Framing.LINES, "evidence/docker-events.txt");
    assertThat(out.events).hasSize(14);
    assertThat(out.rejections).singleElement().satisfies(r -> {
      assertThat(r.reason().code()).isEqualTo("malformed_record");
      assertThat(r.lineNumber()).isEqualTo(15L);
    });
    var create = out.events.get(0);
    assertThat(create.getActivityName()).isEqualTo("create");
    assertThat(create.getTime().toString()).isEqualTo("2024-05-01T12:00:00.123456Z");
    assertThat(create.getTimeOriginal()).isEqualTo("2024-05-01T14:00:00.123456789+02:00");
    assertThat(create.getContainer().getUid()).isEqualTo(id);
    assertThat(create.getContainer().getName()).isEqualTo("web");
    assertThat(create.getContainer().getImageName()).isEqualTo("alpine:3");
    assertThat(create.getKubernetes().getPodName()).isEqualTo("web-1");
    assertThat(create.getUnmapped()).containsEntry("attributes.org.label", "a, b");
    var exec = out.events.get(1);
    assertThat(exec.getClassUid()).isEqualTo(1007);
    assertThat(exec.getProcess().getCmdLine()).isEqualTo("sh -c id (whoami)");
    assertThat(exec.getProcess().getUid()).isEqualTo("e1");
    assertThat(out.events.get(2).getStatusCode()).isEqualTo("137");
    assertThat(out.events.get(2).getStatus()).isEqualTo("Failure");
    assertThat(out.events.get(3).getStatusDetail()).isEqualTo("unhealthy");
    assertThat(out.events.get(4).getContainer().getImageName()).isEqualTo("alpine:3");
    assertThat(out.events.get(5).getContainer().getUid()).isEqualTo(id);
    assertThat(out.events.get(6).getContainer().getUid()).isEqualTo(id);
    assertThat(out.events.get(6).getUnmapped()).containsEntry("attributes.destination", "/data");
    assertThat(out.events.get(7).getDevice().getHostname()).isEqualTo("node-7");
    assertThat(out.events.subList(8, 14)).extracting(e -> e.getResources().get(0).getType() + " "
        + e.getActivityName() + " " + e.getResources().get(0).getName())
        .containsExactly("plugin enable vieux/sshfs:latest", "service update api", "node update worker-1",
            "secret create db-password", "config remove app.conf", "builder prune null");
    assertThat(out.events.get(13).getUnmapped()).containsEntry("attributes.reclaimed", "1024");
  }

  /** A container created from an image pinned by digest: its events name the digest (compose, HostIncidentScenarioIT). */
  @Test
  void anImagePinnedByDigestIsTheContainersImageDigest() throws Exception {
    String digest = "sha256:" + "a6".repeat(32);
    var e = parse("{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":\"" + "aa".repeat(32)
        + "\",\"Attributes\":{\"image\":\"registry.example.com/shop/web:1.4.2@" + digest + "\",\"name\":\"shop-web-1\","
        + "\"com.docker.compose.project\":\"shop\"}},\"time\":1795420805,\"timeNano\":1795420805118000000}\n",
        Framing.LINES, "x/docker-events.json").events.get(0);
    assertThat(e.getContainer().getImageDigest()).isEqualTo(digest);
    assertThat(e.getContainer().getName()).isEqualTo("shop-web-1");
  }

  @Test
  void timeWithoutNanos() throws Exception {
    var e = parse("{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"v\"},\"time\":1714564800}\n",
        Framing.LINES, "x").events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2024-05-01T12:00:00Z");
    assertThat(e.getTimeOriginal()).isEqualTo("1714564800");
    assertThat(e.getContainer()).isNull();
  }
}
