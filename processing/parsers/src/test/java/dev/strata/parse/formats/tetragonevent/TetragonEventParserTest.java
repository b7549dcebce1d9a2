package dev.strata.parse.formats.tetragonevent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.Events;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class TetragonEventParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new TetragonEventParser();
  }

  @Test
  void basenames() {
    assertThat(TetragonEventMapper.basename("/usr/bin/curl")).isEqualTo("curl");
    assertThat(TetragonEventMapper.basename("curl")).isEqualTo("curl");
    assertThat(TetragonEventMapper.basename("/")).isEqualTo("/");
    assertThat(TetragonEventMapper.basename(null)).isNull();
  }

  @Test
  void prettyPrintedSingleEventIsOneEvent() throws Exception {
    String doc = "{\n  \"process_exit\": {\n    \"process\": {\"pid\": 5, \"binary\": \"/bin/cat\"},\n"
        + "    \"signal\": \"\", \"status\": 0\n  },\n  \"node_name\": \"n\",\n"
        + "  \"time\": \"2024-05-01T12:00:00Z\"\n}\n";
    for (Framing f : new Framing[] {Framing.LINES, Framing.WHOLE}) {
      CollectingOutput out = parse(doc, f, "x/tetragon.json");
      assertThat(out.rejections).as(f.toString()).isEmpty();
      assertThat(out.events).as(f.toString()).hasSize(1);
      var e = out.events.get(0);
      assertThat(e.getActivityId()).isEqualTo(2);
      assertThat(e.getProcess().getName()).isEqualTo("cat");
      assertThat(e.getUnmapped()).doesNotContainKey(Events.WARNING_KEY);
    }
  }

  @Test
  void containerIdWithoutRuntimePrefixIsKept() throws Exception {
    String line = "{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/x\",\"pod\":{\"container\":{\"id\":\"abc\"}}}},"
        + "\"time\":\"2024-05-01T12:00:00Z\"}\n";
    var e = parse(line, Framing.LINES, "x/tetragon.log").events.get(0);
    assertThat(e.getContainer().getUid()).isEqualTo("abc");
    assertThat(e.getContainer().getRuntime()).isNull();
  }

  /**
   * Tetragon without pod information for a process (its pod cache had not the container yet, or the process is
   * outside Kubernetes): {@code process.docker}, the container id Tetragon reads from the cgroup path, is the
   * container; the pod's own container id wins when both are there.
   */
  @Test
  void theCgroupContainerIdIsTheContainerWhenThereIsNoPod() throws Exception {
    String cid = "c1ec4b4b4b4b4b4b4b4b4b4b4b4b4b4";
    String noPod = "{\"process_exec\":{\"process\":{\"pid\":9,\"binary\":\"/usr/bin/curl\",\"docker\":\"" + cid
        + "\"}},\"node_name\":\"n\",\"time\":\"2024-05-01T12:00:00Z\"}\n";
    var e = parse(noPod, Framing.LINES, "x/tetragon.log").events.get(0);
    assertThat(e.getContainer().getUid()).isEqualTo(cid);
    assertThat(e.getKubernetes().getPodName()).isNull();
    assertThat(e.getUnmapped()).containsEntry("process.docker", cid);
    String withPod = "{\"process_exec\":{\"process\":{\"pid\":9,\"binary\":\"/x\",\"docker\":\"" + cid.substring(0, 15)
        + "\",\"pod\":{\"name\":\"p\",\"container\":{\"id\":\"containerd://" + cid + "ffff\"}}}},"
        + "\"time\":\"2024-05-01T12:00:00Z\"}\n";
    assertThat(parse(withPod, Framing.LINES, "x/tetragon.log").events.get(0).getContainer().getUid())
        .isEqualTo(cid + "ffff");
    String host = "{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/sbin/init\",\"docker\":\"\"}},"
        + "\"time\":\"2024-05-01T12:00:00Z\"}\n";
    assertThat(parse(host, Framing.LINES, "x/tetragon.log").events.get(0).getContainer()).isNull();
  }

  @Test
  void processTreeKeysAndImageDigestAreMapped() throws Exception {
    String line = "{\"process_exec\":{\"process\":{\"exec_id\":\"Y2hpbGQ=\",\"pid\":7,\"binary\":\"/bin/sh\","
        + "\"start_time\":\"2024-05-01T11:59:59.123456789Z\",\"parent_exec_id\":\"cGFyZW50\","
        + "\"pod\":{\"container\":{\"id\":\"containerd://abc\",\"image\":{\"id\":\"docker.io/library/nginx@sha256:"
        + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}}},"
        + "\"parent\":{\"exec_id\":\"cGFyZW50\",\"pid\":1}},\"time\":\"2024-05-01T12:00:00Z\"}\n";
    var e = parse(line, Framing.LINES, "x/tetragon.log").events.get(0);
    assertThat(e.getProcess().getUid()).isEqualTo("Y2hpbGQ=");
    assertThat(e.getProcess().getParentUid()).isEqualTo("cGFyZW50");
    assertThat(e.getProcess().getStartTime()).isEqualTo(java.time.Instant.parse("2024-05-01T11:59:59.123456Z"));
    assertThat(e.getContainer().getImageDigest())
        .isEqualTo("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  }
}
