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

  private static final String T = "\"node_name\":\"ip-10-0-1-5\",\"time\":\"2025-06-02T08:00:00.5Z\"}\n";

  private java.util.List<dev.strata.schema.event.EvidenceEvent> events(String text) throws Exception {
    return lineEvents(text, "x/tetragon.log");
  }

  /**
   * The GetEventsResponse events that are not process_* (gRPC API reference: rate_limit_info, test) and the cgroup
   * throttle events (docs "Event throttling": THROTTLE_START / THROTTLE_STOP with the cgroup) are events, not
   * rejections: a dropped-events notice says the export has a gap.
   */
  @Test
  void rateLimitAndThrottleEventsSayWhatWasLost() throws Exception {
    var ev = events("{\"rate_limit_info\":{\"number_of_dropped_process_events\":\"1024\"}," + T
        + "{\"process_throttle\":{\"type\":\"THROTTLE_START\",\"cgroup\":\"session-429.scope\"}," + T
        + "{\"process_throttle\":{\"type\":\"THROTTLE_STOP\",\"cgroup\":\"session-429.scope\"}," + T
        + "{\"test\":{\"arg0\":\"1\"}," + T);
    assertThat(ev).hasSize(4);
    assertThat(ev.get(0).getActivityName()).isEqualTo("rate_limit_info");
    assertThat(ev.get(0).getMessage()).isEqualTo("Tetragon's export rate limit dropped 1024 process events");
    assertThat(ev.get(0).getUnmapped()).containsEntry("number_of_dropped_process_events", "1024")
        .containsEntry("event_type", "rate_limit_info");
    assertThat(ev.get(0).getDevice().getHostname()).isEqualTo("ip-10-0-1-5");
    assertThat(ev.get(1).getActivityName()).isEqualTo("THROTTLE_START");
    assertThat(ev.get(1).getMessage()).isEqualTo("Tetragon throttled the events of cgroup session-429.scope");
    assertThat(ev.get(2).getMessage()).isEqualTo("Tetragon stopped throttling the events of cgroup session-429.scope");
    assertThat(ev.get(3).getActivityName()).isEqualTo("test");
  }

  /** ProcessExit: status (the exit code) or signal (what killed it). */
  @Test
  void exitStatusAndSignalAreTheEventsStatus() throws Exception {
    var ev = events("{\"process_exit\":{\"process\":{\"pid\":9,\"binary\":\"/bin/false\"},\"status\":1}," + T
        + "{\"process_exit\":{\"process\":{\"pid\":10,\"binary\":\"/bin/sleep\"},\"signal\":\"SIGKILL\","
        + "\"time\":\"2025-06-02T08:00:00.4Z\"}," + T
        + "{\"process_exit\":{\"process\":{\"pid\":11,\"binary\":\"/bin/true\"},\"status\":0}," + T);
    assertThat(ev.get(0).getStatusCode()).isEqualTo("1");
    assertThat(ev.get(0).getStatus()).isEqualTo("Failure");
    assertThat(ev.get(1).getStatusDetail()).isEqualTo("SIGKILL");
    assertThat(ev.get(1).getStatus()).isEqualTo("Failure");
    assertThat(ev.get(1).getStatusCode()).isNull();
    assertThat(ev.get(1).getUnmapped()).containsEntry("time", "2025-06-02T08:00:00.4Z");
    assertThat(ev.get(2).getStatus()).isEqualTo("Success");
    assertThat(ev.get(2).getStatusCode()).isEqualTo("0");
  }

  /**
   * The file-like arguments of the KprobeArgument oneof: path_arg (security_path_truncate, security_path_chmod ...)
   * and linux_binprm_arg (security_bprm_check: the file an exec runs) name the file as file_arg does; a kprobe's
   * data list is kept as args are.
   */
  @Test
  void pathAndBinprmArgumentsNameTheFile() throws Exception {
    var ev = events("{\"process_kprobe\":{\"process\":{\"pid\":5,\"binary\":\"/usr/bin/truncate\"},"
        + "\"function_name\":\"security_path_truncate\",\"args\":[{\"path_arg\":{\"mount\":\"\",\"path\":"
        + "\"/etc/cron.d/job\",\"flags\":\"\",\"permission\":\"-rw-r--r--\"}}],\"action\":\"KPROBE_ACTION_POST\","
        + "\"policy_name\":\"file-monitoring\",\"message\":\"truncate under /etc\",\"tags\":[\"persistence\"]}," + T
        + "{\"process_lsm\":{\"process\":{\"pid\":6,\"binary\":\"/bin/sh\"},\"function_name\":\"bprm_check_security\","
        + "\"args\":[{\"linux_binprm_arg\":{\"path\":\"/tmp/x\",\"flags\":\"\",\"permission\":\"-rwxr-xr-x\"}}],"
        + "\"ima_hash\":\"sha256:" + "0a1b".repeat(16) + "\",\"policy_name\":\"lsm\"}," + T
        + "{\"process_kprobe\":{\"process\":{\"pid\":7,\"binary\":\"/bin/cat\"},\"function_name\":\"fd_install\","
        + "\"args\":[{\"int_arg\":3},{\"file_arg\":{\"path\":\"/etc/shadow\"}}],\"data\":[{\"string_arg\":\"d\"}]}," + T);
    assertThat(ev.get(0).getFile().getPath()).isEqualTo("/etc/cron.d/job");
    assertThat(ev.get(0).getMessage()).isEqualTo("truncate under /etc");
    assertThat(ev.get(1).getFile().getPath()).isEqualTo("/tmp/x");
    assertThat(ev.get(1).getFile().getName()).isEqualTo("x");
    assertThat(ev.get(1).getUnmapped()).containsEntry("ima_hash", "sha256:" + "0a1b".repeat(16));
    assertThat(ev.get(1).getFile().getSha256()).isEqualTo("0a1b".repeat(16));
    assertThat(ev.get(0).getFile().getSha256()).isNull();
    assertThat(ev.get(2).getFile().getPath()).isEqualTo("/etc/shadow");
    assertThat(ev.get(2).getUnmapped()).containsEntry("data", "[{\"string_arg\":\"d\"}]")
        .containsEntry("args", "[{\"int_arg\":3},{\"file_arg\":{\"path\":\"/etc/shadow\"}}]");
  }

  /** skb_arg (a packet: proto as a number before v1.4's protocol text) and sockaddr_arg (connect / bind). */
  @Test
  void skbAndSockaddrArgumentsNameTheEndpoints() throws Exception {
    var ev = events("{\"process_kprobe\":{\"process\":{\"pid\":5,\"binary\":\"/bin/curl\"},"
        + "\"function_name\":\"ip_output\",\"args\":[{\"skb_arg\":{\"hash\":1,\"len\":60,\"saddr\":\"10.0.1.7\","
        + "\"daddr\":\"203.0.113.9\",\"sport\":40100,\"dport\":443,\"proto\":6}}]}," + T
        + "{\"process_kprobe\":{\"process\":{\"pid\":5,\"binary\":\"/bin/curl\"},"
        + "\"function_name\":\"security_socket_connect\",\"args\":[{\"sock_arg\":{\"family\":\"AF_INET\"}},"
        + "{\"sockaddr_arg\":{\"family\":\"AF_INET\",\"addr\":\"169.254.169.254\",\"port\":80}}]}," + T
        + "{\"process_kprobe\":{\"process\":{\"pid\":8,\"binary\":\"/bin/nc\"},"
        + "\"function_name\":\"security_socket_bind\",\"args\":[{\"sockaddr_arg\":{\"family\":\"AF_INET\","
        + "\"addr\":\"0.0.0.0\",\"port\":4444}}]}," + T);
    var skb = ev.get(0);
    assertThat(skb.getSrcEndpoint().getIp()).isEqualTo("10.0.1.7");
    assertThat(skb.getDstEndpoint().getIp()).isEqualTo("203.0.113.9");
    assertThat(skb.getDstEndpoint().getPort()).isEqualTo(443);
    assertThat(skb.getNetwork().getProtocol()).isEqualTo("IPPROTO_TCP");
    var connect = ev.get(1);
    assertThat(connect.getDstEndpoint().getIp()).isEqualTo("169.254.169.254");
    assertThat(connect.getDstEndpoint().getPort()).isEqualTo(80);
    var bind = ev.get(2);
    assertThat(bind.getDstEndpoint()).isNull();
    assertThat(bind.getSrcEndpoint().getPort()).isEqualTo(4444);
  }

  /** ProcessUprobe (symbol, or offset), ProcessUsdt (provider, name) and ProcessLoader (path). */
  @Test
  void uprobeUsdtAndLoaderEventsAreNamed() throws Exception {
    var ev = events("{\"process_uprobe\":{\"process\":{\"pid\":1,\"binary\":\"/bin/bash\"},\"path\":\"/bin/bash\","
        + "\"symbol\":\"readline\",\"policy_name\":\"bash\",\"message\":\"readline called\"}," + T
        + "{\"process_uprobe\":{\"process\":{\"pid\":1,\"binary\":\"/bin/bash\"},\"path\":\"/bin/bash\","
        + "\"offset\":\"4660\"}," + T
        + "{\"process_usdt\":{\"process\":{\"pid\":2,\"binary\":\"/usr/bin/python3\"},\"path\":\"/usr/bin/python3\","
        + "\"provider\":\"python\",\"name\":\"function__entry\"}," + T
        + "{\"process_loader\":{\"process\":{\"pid\":3,\"binary\":\"/usr/bin/ssh\"},"
        + "\"path\":\"/usr/lib/libcrypto.so.3\",\"buildid\":\"q83vEjRWeJA=\"}," + T);
    assertThat(ev.get(0).getActivityName()).isEqualTo("readline");
    assertThat(ev.get(0).getMessage()).isEqualTo("readline called");
    assertThat(ev.get(0).getFile()).isNull();
    assertThat(ev.get(1).getActivityName()).isEqualTo("offset 4660");
    assertThat(ev.get(2).getActivityName()).isEqualTo("python:function__entry");
    assertThat(ev.get(3).getActivityName()).isEqualTo("process_loader");
    assertThat(ev.get(3).getFile().getPath()).isEqualTo("/usr/lib/libcrypto.so.3");
    assertThat(ev.get(3).getUnmapped()).containsEntry("buildid", "q83vEjRWeJA=");
  }

  /**
   * The Process and Pod fields of the current reference: pod.uid is the pod's uid; workload, workload_kind,
   * in_init_tree, binary_properties, process_credentials, user, ancestors, container security_context and the
   * response's node_labels stay in unmapped under their names.
   */
  @Test
  void currentProcessAndPodFieldsAreKept() throws Exception {
    var e = events("{\"process_exec\":{\"process\":{\"exec_id\":\"ZTE=\",\"pid\":77,\"uid\":0,\"binary\":\"/tmp/su\","
        + "\"in_init_tree\":false,\"user\":{\"name\":\"root\"},\"process_credentials\":{\"uid\":1000,\"euid\":0},"
        + "\"binary_properties\":{\"setuid\":0,\"privileges_changed\":[\"PRIVILEGES_RAISED_EXEC_FILE_SETUID\"],"
        + "\"file\":{\"inode\":{\"number\":\"4\",\"links\":0},\"path\":\"/memfd:x (deleted)\"}},"
        + "\"pod\":{\"namespace\":\"ci\",\"name\":\"runner-0\",\"uid\":\"7b1f6a1e-0c1d-4c5e-9a3b-2f6d1e0a9c11\","
        + "\"container\":{\"id\":\"containerd://ab12\",\"name\":\"runner\",\"security_context\":{\"privileged\":true}},"
        + "\"workload\":\"runner\",\"workload_kind\":\"StatefulSet\",\"pod_annotations\":{\"a\":\"b\"}}},"
        + "\"parent\":{\"pid\":70,\"binary\":\"/bin/sh\"},\"ancestors\":[{\"pid\":1,\"binary\":\"/sbin/tini\"}]},"
        + "\"cluster_name\":\"ci\",\"node_labels\":{\"kubernetes.io/os\":\"linux\"}," + T).get(0);
    assertThat(e.getKubernetes().getPodUid()).isEqualTo("7b1f6a1e-0c1d-4c5e-9a3b-2f6d1e0a9c11");
    assertThat(e.getKubernetes().getCluster()).isEqualTo("ci");
    assertThat(e.getUnmapped())
        .containsEntry("process.in_init_tree", "false")
        .containsEntry("process.user.name", "root")
        .containsEntry("process.process_credentials.euid", "0")
        .containsEntry("process.binary_properties.setuid", "0")
        .containsEntry("process.binary_properties.privileges_changed", "[\"PRIVILEGES_RAISED_EXEC_FILE_SETUID\"]")
        .containsEntry("process.binary_properties.file.path", "/memfd:x (deleted)")
        .containsEntry("process.pod.workload", "runner")
        .containsEntry("process.pod.workload_kind", "StatefulSet")
        .containsEntry("process.pod.container.security_context.privileged", "true")
        .containsEntry("ancestors", "[{\"pid\":1,\"binary\":\"/sbin/tini\"}]")
        .containsEntry("node_labels.kubernetes.io/os", "linux")
        .doesNotContainKey("process.pod.uid");
  }
}
