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

  /** A process_kprobe of a socket hook as Tetragon's JSON export writes it (pod block, args, optional return). */
  static String kprobe(String function, String args, String ret, String time) {
    return "{\"process_kprobe\":{\"process\":{\"exec_id\":\"aXAtMTA6NDEyMQ==\",\"pid\":4121,\"uid\":1000,"
        + "\"binary\":\"/usr/local/bin/node\",\"arguments\":\"server.js\",\"pod\":{\"namespace\":\"storefront\","
        + "\"name\":\"invoice-render-7c9d5b8f6-q2w4e\",\"container\":{\"id\":\"containerd://5e1da7a7a7a7\",\"name\":"
        + "\"renderer\"}}},\"parent\":{\"pid\":1,\"binary\":\"/usr/local/bin/node\"},\"function_name\":\"" + function
        + "\",\"args\":" + args + (ret == null ? "" : ",\"return\":" + ret) + ",\"action\":\"KPROBE_ACTION_POST\","
        + "\"policy_name\":\"accept\"},\"node_name\":\"ip-10-93-12-40\",\"time\":\"" + time + "\"}\n";
  }

  static String sock(String saddr, int sport, String daddr, int dport, String state) {
    return "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"protocol\":\"IPPROTO_TCP\",\"saddr\":\""
        + saddr + "\",\"daddr\":\"" + daddr + "\",\"sport\":" + sport + ",\"dport\":" + dport
        + ",\"cookie\":\"18446616814271028736\",\"state\":\"" + state + "\"}}";
  }

  /**
   * An accepted connection (session 19): inet_csk_accept's returned socket, tcp_create_openreq_child's, and
   * tcp_set_state of a TCP_SYN_RECV socket to 1 (TCP_ESTABLISHED) name the client as the source and the workload's
   * listening port as the destination, direction Inbound; a connect (tcp_connect) and another state change keep the
   * socket's own ends (saddr -> daddr).
   */
  @Test
  void anAcceptedConnectionNamesTheClientAsItsSource() throws Exception {
    String listen = "[" + sock("0.0.0.0", 8080, "0.0.0.0", 0, "TCP_LISTEN") + "]";
    String conn = sock("10.93.12.77", 8080, "198.51.100.203", 51514, "TCP_ESTABLISHED");
    String text = kprobe("inet_csk_accept", listen, conn, "2026-11-24T09:10:03.412Z")
        + kprobe("tcp_create_openreq_child", "[" + sock("10.93.12.77", 8080, "198.51.100.203", 51514, "TCP_LISTEN") + "]",
            conn, "2026-11-24T09:10:03.411Z")
        + kprobe("tcp_set_state", "[" + sock("10.93.12.77", 8080, "198.51.100.203", 51514, "TCP_SYN_RECV")
            + ",{\"int_arg\":1}]", null, "2026-11-24T09:10:03.410Z")
        + kprobe("tcp_connect", "[" + sock("10.93.12.77", 40112, "203.0.113.201", 443, "TCP_SYN_SENT") + "]", null,
            "2026-11-24T09:12:00Z")
        + kprobe("tcp_set_state", "[" + sock("10.93.12.77", 8080, "198.51.100.203", 51514, "TCP_ESTABLISHED")
            + ",{\"int_arg\":7}]", null, "2026-11-24T09:13:00Z");
    CollectingOutput out = parse(text, Framing.LINES, "x/tetragon.log");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(5);
    for (int i = 0; i < 3; i++) {
      var e = out.events.get(i);
      assertThat(e.getSrcEndpoint().getIp()).as(e.getActivityName()).isEqualTo("198.51.100.203");
      assertThat(e.getSrcEndpoint().getPort()).isEqualTo(51514);
      assertThat(e.getDstEndpoint().getIp()).isEqualTo("10.93.12.77");
      assertThat(e.getDstEndpoint().getPort()).isEqualTo(8080);
      assertThat(e.getNetwork().getDirection()).isEqualTo("Inbound");
      assertThat(e.getUnmapped()).containsEntry("strata.connection", "accepted");
      assertThat(e.getKubernetes().getPodName()).isEqualTo("invoice-render-7c9d5b8f6-q2w4e");
    }
    var connect = out.events.get(3);
    assertThat(connect.getSrcEndpoint().getIp()).isEqualTo("10.93.12.77");
    assertThat(connect.getDstEndpoint().getIp()).isEqualTo("203.0.113.201");
    assertThat(connect.getUnmapped()).doesNotContainKey("strata.connection");
    var close = out.events.get(4);
    assertThat(close.getSrcEndpoint().getIp()).isEqualTo("10.93.12.77");
    assertThat(close.getUnmapped()).doesNotContainKey("strata.connection");
  }
}
