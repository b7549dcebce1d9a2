package dev.strata.parse.formats.falcoalert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class FalcoAlertParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new FalcoAlertParser();
  }

  @Test
  void prioritiesMapToSeverities() {
    for (String p : new String[] {"Emergency", "Alert", "Critical", "CRITICAL"}) {
      assertThat(FalcoAlertMapper.severityOf(p)).as(p).isEqualTo(5);
    }
    assertThat(FalcoAlertMapper.severityOf("Error")).isEqualTo(4);
    assertThat(FalcoAlertMapper.severityOf("Warning")).isEqualTo(3);
    assertThat(FalcoAlertMapper.severityOf("Notice")).isEqualTo(2);
    assertThat(FalcoAlertMapper.severityOf("Informational")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("Info")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("debug")).isEqualTo(1);
    assertThat(FalcoAlertMapper.severityOf("Loud")).isZero();
    assertThat(FalcoAlertMapper.severityOf(null)).isZero();
  }

  @Test
  void naValuesAreNeverNames() throws Exception {
    String line = "{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2024-01-01T00:00:00Z\","
        + "\"output_fields\":{\"container.id\":\"<NA>\",\"container.name\":\"<NA>\",\"proc.name\":\"<NA>\","
        + "\"proc.pid\":\"<NA>\",\"user.name\":\"<NA>\",\"fd.name\":\"<NA>\",\"k8s.pod.name\":\"<NA>\"},"
        + "\"hostname\":\"<NA>\"}\n";
    CollectingOutput out = parse(line, Framing.LINES, "x/falco.json");
    assertThat(out.rejections).isEmpty();
    var e = out.events.get(0);
    assertThat(e.getContainer()).isNull();
    assertThat(e.getProcess()).isNull();
    assertThat(e.getFile()).isNull();
    assertThat(e.getKubernetes() == null || e.getKubernetes().getPodName() == null).isTrue();
    assertThat(e.getDevice() == null || !"<NA>".equals(e.getDevice().getHostname())).isTrue();
    assertThat(e.getUnmapped()).containsEntry("output_fields.proc.name", "<NA>");
  }

  /**
   * Falco 0.37+ with the k8smeta plugin: the container engine had no pod labels yet ({@code k8s.pod.name} {@code <NA>})
   * while the plugin's collector names the pod ({@code k8smeta.*}); the engine's own fields win when both name one
   * (DaemonSetEscalationScenarioIT: the DaemonSet's alerts on two of three nodes named no pod).
   */
  @Test
  void theK8smetaPluginsPodFieldsNameThePodWhenTheEnginesDoNot() throws Exception {
    String line = "{\"rule\":\"Write below etc\",\"priority\":\"Error\",\"output\":\"o\",\"time\":\"2026-11-24T09:40:19Z\","
        + "\"output_fields\":{\"container.id\":\"d5a24e4e4e4e\",\"k8s.ns.name\":\"<NA>\",\"k8s.pod.name\":\"<NA>\","
        + "\"k8smeta.ns.name\":\"kube-system\",\"k8smeta.pod.name\":\"npd-m4v8z\",\"k8smeta.pod.uid\":\"e1a1-0002\"}}\n"
        + "{\"rule\":\"r\",\"priority\":\"Error\",\"output\":\"o\",\"time\":\"2026-11-24T09:40:19Z\","
        + "\"output_fields\":{\"k8s.ns.name\":\"web\",\"k8s.pod.name\":\"web-1\",\"k8smeta.ns.name\":\"other\","
        + "\"k8smeta.pod.name\":\"other-1\"}}\n";
    CollectingOutput out = parse(line, Framing.LINES, "x/falco.json");
    assertThat(out.rejections).isEmpty();
    var k = out.events.get(0).getKubernetes();
    assertThat(k.getNamespace()).isEqualTo("kube-system");
    assertThat(k.getPodName()).isEqualTo("npd-m4v8z");
    assertThat(k.getPodUid()).isEqualTo("e1a1-0002");
    assertThat(out.events.get(0).getUnmapped()).containsEntry("output_fields.k8s.pod.name", "<NA>");
    assertThat(out.events.get(1).getKubernetes().getPodName()).as("the engine's own").isEqualTo("web-1");
    assertThat(out.events.get(1).getKubernetes().getNamespace()).isEqualTo("web");
  }

  /**
   * Falco names its host by the short name (its {@code hostname}: the node's kernel host name), the collection by the
   * full node name: one host, the full name kept (strata scope listed each node of DaemonSetEscalationScenarioIT twice);
   * another host than the collection's still wins, the collection's kept aside.
   */
  @Test
  void theShortNameOfTheCollectionsHostKeepsItsFullName() throws Exception {
    String node = "ip-10-60-11-21.ap-southeast-2.compute.internal";
    String lines = "{\"rule\":\"r\",\"priority\":\"Error\",\"output\":\"o\",\"time\":\"2026-11-24T09:40:19Z\","
        + "\"hostname\":\"ip-10-60-11-21\"}\n"
        + "{\"rule\":\"r\",\"priority\":\"Error\",\"output\":\"o\",\"time\":\"2026-11-24T09:40:19Z\","
        + "\"hostname\":\"ip-10-60-99-1\"}\n";
    var chunk = dev.strata.parse.testing.Chunks.single(lines, format(), Framing.LINES, "falco/falco-events.json");
    chunk.getContext().setHost(node);
    CollectingOutput out = parse(chunk);
    assertThat(out.events.get(0).getDevice().getHostname()).isEqualTo(node);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("falco.hostname", "ip-10-60-11-21");
    assertThat(out.events.get(1).getDevice().getHostname()).isEqualTo("ip-10-60-99-1");
    assertThat(out.events.get(1).getUnmapped()).containsEntry("strata.context_host", node);
  }

  @Test
  void evtTimeIsTheFallbackTime() throws Exception {
    String line = "{\"rule\":\"r\",\"priority\":\"Error\",\"output\":\"o\","
        + "\"output_fields\":{\"evt.time\":1507591916746609046}}\n";
    var e = parse(line, Framing.LINES, "x/falco.json").events.get(0);
    assertThat(e.getTime().toString()).isEqualTo("2017-10-09T23:31:56.746609Z");
    assertThat(e.getTimeOriginal()).isEqualTo("1507591916746609046");
  }

  /** A network rule's alert names the connection: fd.cip:fd.cport (client) -> fd.sip:fd.sport (server). */
  @Test
  void aConnectionsEndsAreItsEndpoints() throws Exception {
    String line = "{\"rule\":\"Detect outbound connections to common miner pool ports\",\"priority\":\"Critical\","
        + "\"output\":\"o\",\"time\":\"2026-11-21T10:06:35.220618843Z\",\"output_fields\":{\"container.id\":"
        + "\"62dfdab12104\",\"fd.name\":\"10.20.1.37:41822->198.51.100.77:3333\",\"fd.cip\":\"10.20.1.37\","
        + "\"fd.cport\":41822,\"fd.sip\":\"198.51.100.77\",\"fd.sport\":3333}}\n"
        + "{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2026-11-21T10:06:35Z\","
        + "\"output_fields\":{\"fd.sip\":\"<NA>\",\"fd.cip\":\"\",\"fd.sport\":\"<NA>\"}}\n";
    CollectingOutput out = parse(line, Framing.LINES, "x/falco.json");
    assertThat(out.rejections).isEmpty();
    var e = out.events.get(0);
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("10.20.1.37");
    assertThat(e.getSrcEndpoint().getPort()).isEqualTo(41822);
    assertThat(e.getDstEndpoint().getIp()).isEqualTo("198.51.100.77");
    assertThat(e.getDstEndpoint().getPort()).isEqualTo(3333);
    assertThat(e.getFile()).as("a socket is no file").isNull();
    var none = out.events.get(1);
    assertThat(none.getSrcEndpoint()).isNull();
    assertThat(none.getDstEndpoint()).isNull();
  }

  /**
   * "Outbound Connection to C2 Servers" matches on the domain the address was resolved from ({@code fd.sip.name}):
   * the server endpoint's domain, what {@code strata scope --domain} looks up (HostIncidentScenarioIT).
   */
  @Test
  void theDomainFalcoResolvedAnAddressFromIsTheEndpointsDomain() throws Exception {
    String line = "{\"rule\":\"Outbound Connection to C2 Servers\",\"priority\":\"Warning\",\"output\":\"o\","
        + "\"time\":\"2026-11-23T09:13:02.881Z\",\"output_fields\":{\"container.id\":\"aac91a707528\","
        + "\"fd.cip\":\"172.18.0.2\",\"fd.cport\":40112,\"fd.sip\":\"198.51.100.23\",\"fd.sport\":443,"
        + "\"fd.sip.name\":\"pool.xmr-relay.example\",\"fd.cip.name\":\"<NA>\"}}\n"
        + "{\"rule\":\"r\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2026-11-23T09:13:03Z\","
        + "\"output_fields\":{\"fd.sip.name\":\"c2.example.org\"}}\n";
    CollectingOutput out = parse(line, Framing.LINES, "x/falco.json");
    assertThat(out.rejections).isEmpty();
    var e = out.events.get(0);
    assertThat(e.getDstEndpoint().getIp()).isEqualTo("198.51.100.23");
    assertThat(e.getDstEndpoint().getDomain()).isEqualTo("pool.xmr-relay.example");
    assertThat(e.getSrcEndpoint().getDomain()).as("<NA> is no name").isNull();
    var nameOnly = out.events.get(1);
    assertThat(nameOnly.getDstEndpoint().getIp()).isNull();
    assertThat(nameOnly.getDstEndpoint().getDomain()).isEqualTo("c2.example.org");
  }

  /** journalctl -u falco -o json (and a binary journal's Falco entries, as the collector derives them). */
  @Test
  void journaldEntriesAreReadThroughTheirMessage() throws Exception {
    String head = "{\"__CURSOR\":\"s=ab;i=1\",\"__REALTIME_TIMESTAMP\":\"1714557611123456\","
        + "\"_SYSTEMD_UNIT\":\"falco-modern-bpf.service\",\"SYSLOG_IDENTIFIER\":\"falco\","
        + "\"_HOSTNAME\":\"node-1\",\"__STRATA_JOURNAL_OFFSET\":\"4096\",\"MESSAGE\":";
    String text = head + "\"10:00:11.123456789: Warning Shell spawned by untrusted binary (user=root shell=sh"
        + " container_id=3f4e5d6c7b8a container_name=escape)\"}\n";
    String json = head.replace("4096", "8192") + "\"{\\\"output\\\":\\\"o\\\",\\\"priority\\\":\\\"Critical\\\","
        + "\\\"rule\\\":\\\"Drift\\\",\\\"time\\\":\\\"2024-05-01T10:00:12.000000001Z\\\","
        + "\\\"output_fields\\\":{\\\"container.id\\\":\\\"3f4e5d6c7b8a\\\"}}\"}\n";
    String startup = head + "\"Falco initialized with configuration file: /etc/falco/falco.yaml\"}\n";
    String other = "{\"__REALTIME_TIMESTAMP\":\"1714557611000000\",\"SYSLOG_IDENTIFIER\":\"sshd\","
        + "\"MESSAGE\":\"Accepted publickey\"}\n";
    CollectingOutput out = parse(text + json + startup + other + "not json\n", Framing.LINES, "x/falco.journal.json");

    assertThat(out.events).hasSize(3);
    var alert = out.events.get(0);
    assertThat(alert.getClassUid()).isEqualTo(2004);
    assertThat(alert.getTime().toString()).isEqualTo("2024-05-01T10:00:11.123456Z"); // the entry's date
    assertThat(alert.getContainer().getName()).isEqualTo("escape");
    assertThat(alert.getUnmapped()).containsEntry("strata.carrier.format", "journald")
        .containsEntry("strata.carrier.journal_offset", "4096").containsEntry("strata.carrier.hostname", "node-1");
    var jsonAlert = out.events.get(1);
    assertThat(jsonAlert.getClassUid()).isEqualTo(2004);
    assertThat(jsonAlert.getFinding().getTitle()).isEqualTo("Drift");
    assertThat(jsonAlert.getUnmapped()).containsEntry("strata.carrier.journal_offset", "8192");
    var log = out.events.get(2);
    assertThat(log.getClassUid()).isZero();
    assertThat(log.getMessage()).startsWith("Falco initialized");
    assertThat(log.getTime().toString()).isEqualTo("2024-05-01T10:00:11.123456Z");
    assertThat(out.rejections).singleElement().satisfies(r -> assertThat(r.reason().code()).isEqualTo("malformed_record"));
  }

  private java.util.List<dev.strata.schema.event.EvidenceEvent> alerts(String text) throws Exception {
    return lineEvents(text, "x/falco.json");
  }

  /**
   * json_include_output_property false with json_include_message_property true (Falco 0.39+): the alert has a
   * {@code message} (the output without its time and priority) and no {@code output}; the message is the message.
   */
  @Test
  void theMessagePropertyIsTheMessageWithoutAnOutput() throws Exception {
    var e = alerts("{\"hostname\":\"n1\",\"message\":\"Shell spawned in a container (user=root)\",\"priority\":\"Notice\","
        + "\"rule\":\"Terminal shell in container\",\"source\":\"syscall\",\"tags\":[\"T1059\"],"
        + "\"time\":\"2025-02-01T10:00:00.000000000Z\",\"output_fields\":{\"proc.name\":\"bash\"}}\n").get(0);
    assertThat(e.getMessage()).isEqualTo("Shell spawned in a container (user=root)");
    assertThat(e.getUnmapped()).containsEntry("message", "Shell spawned in a container (user=root)");
    var both = alerts("{\"message\":\"m\",\"output\":\"10:00:00.000000000: Notice m\",\"priority\":\"Notice\","
        + "\"rule\":\"r\",\"time\":\"2025-02-01T10:00:00Z\",\"output_fields\":{}}\n").get(0);
    assertThat(both.getMessage()).isEqualTo("10:00:00.000000000: Notice m");
  }

  /**
   * The stock rules since 0.36 print a connection as fd.name ({@code connection=%fd.name lport=%fd.lport ...}), not
   * fd.cip / fd.sip: the tuple names the client and the server; a unix socket's tuple names none.
   */
  @Test
  void aConnectionTupleInFdNameNamesTheEndpoints() throws Exception {
    var ev = alerts("{\"rule\":\"Outbound Connection to C2 Servers\",\"priority\":\"Warning\",\"output\":\"o\","
        + "\"time\":\"2025-02-01T10:00:00Z\",\"output_fields\":{\"fd.name\":\"10.1.2.3:40112->198.51.100.7:443\","
        + "\"fd.lport\":40112,\"fd.rport\":443,\"evt.type\":\"connect\"}}\n"
        + "{\"rule\":\"r6\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2025-02-01T10:00:00Z\","
        + "\"output_fields\":{\"fd.name\":\"2001:db8::5:51000->2001:db8::9:22\"}}\n"
        + "{\"rule\":\"unix\",\"priority\":\"Warning\",\"output\":\"o\",\"time\":\"2025-02-01T10:00:00Z\","
        + "\"output_fields\":{\"fd.name\":\"ffff8a0c1a2b3c00->ffff8a0c1a2b3d00 /var/run/docker.sock\"}}\n");
    assertThat(ev.get(0).getSrcEndpoint().getIp()).isEqualTo("10.1.2.3");
    assertThat(ev.get(0).getSrcEndpoint().getPort()).isEqualTo(40112);
    assertThat(ev.get(0).getDstEndpoint().getIp()).isEqualTo("198.51.100.7");
    assertThat(ev.get(0).getDstEndpoint().getPort()).isEqualTo(443);
    assertThat(ev.get(1).getSrcEndpoint().getIp()).isEqualTo("2001:db8::5");
    assertThat(ev.get(1).getDstEndpoint().getIp()).isEqualTo("2001:db8::9");
    assertThat(ev.get(1).getDstEndpoint().getPort()).isEqualTo(22);
    assertThat(ev.get(2).getSrcEndpoint()).isNull();
    assertThat(ev.get(2).getDstEndpoint()).isNull();
    assertThat(ev.get(2).getFile()).isNull();
  }

  /**
   * An alert of the k8saudit plugin (source k8s_audit; fields as the plugin's README lists them): the request's user,
   * impersonated user, verb, audit id, response code, URI, user agent, target and first source IP.
   */
  @Test
  void aK8sAuditPluginAlertNamesTheRequest() throws Exception {
    var e = alerts("{\"hostname\":\"falco-k8saudit-0\",\"output\":\"Attach/Exec to pod (user=dev@example.com "
        + "pod=web-0 resource=pods ns=shop action=exec command=sh)\",\"priority\":\"Notice\",\"rule\":\"Attach/Exec Pod\","
        + "\"source\":\"k8s_audit\",\"tags\":[\"k8s\"],\"time\":\"2025-02-01T10:00:00.123456Z\",\"output_fields\":{"
        + "\"ka.auditid\":\"4c1a7e2b-1111-4d7a-9c2e-5d2f8e3a0b01\",\"ka.user.name\":\"dev@example.com\","
        + "\"ka.impuser.name\":\"system:serviceaccount:shop:deployer\",\"ka.verb\":\"create\","
        + "\"ka.target.resource\":\"pods\",\"ka.target.subresource\":\"exec\",\"ka.target.name\":\"web-0\","
        + "\"ka.target.namespace\":\"shop\",\"ka.uri\":\"/api/v1/namespaces/shop/pods/web-0/exec?command=sh\","
        + "\"ka.response.code\":\"101\",\"ka.useragent\":\"kubectl/v1.31.0\",\"ka.sourceips\":\"[203.0.113.50]\"}}\n").get(0);
    assertThat(e.getActor().getUserName()).isEqualTo("dev@example.com");
    assertThat(e.getActor().getImpersonatedUser()).isEqualTo("system:serviceaccount:shop:deployer");
    assertThat(e.getApi().getService()).isEqualTo("kube-apiserver");
    assertThat(e.getApi().getOperation()).isEqualTo("create");
    assertThat(e.getApi().getRequestUid()).isEqualTo("4c1a7e2b-1111-4d7a-9c2e-5d2f8e3a0b01");
    assertThat(e.getApi().getResponseCode()).isEqualTo(101);
    assertThat(e.getHttpRequest().getUrl()).isEqualTo("/api/v1/namespaces/shop/pods/web-0/exec?command=sh");
    assertThat(e.getHttpRequest().getUserAgent()).isEqualTo("kubectl/v1.31.0");
    assertThat(e.getResources()).hasSize(1);
    assertThat(e.getResources().get(0).getType()).isEqualTo("pods");
    assertThat(e.getResources().get(0).getName()).isEqualTo("web-0");
    assertThat(e.getResources().get(0).getSubresource()).isEqualTo("exec");
    assertThat(e.getKubernetes().getNamespace()).isEqualTo("shop");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-0");
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("203.0.113.50");
    assertThat(FalcoAlertMapper.firstAddress("(10.0.0.1,10.0.0.2)")).isEqualTo("10.0.0.1");
    assertThat(FalcoAlertMapper.firstAddress("<NA>")).isNull();
  }

  /** container.type (the container engine) is the runtime; k8s.pod.ip, else k8smeta.pod.ip, the pod's address. */
  @Test
  void containerTypeAndPodIp() throws Exception {
    var ev = alerts("{\"rule\":\"r\",\"priority\":\"Notice\",\"output\":\"o\",\"time\":\"2025-02-01T10:00:00Z\","
        + "\"output_fields\":{\"container.id\":\"3ad7b26ded6d\",\"container.type\":\"containerd\",\"k8s.ns.name\":\"shop\","
        + "\"k8s.pod.name\":\"web-0\",\"k8s.pod.ip\":\"10.1.2.3\"}}\n"
        + "{\"rule\":\"r\",\"priority\":\"Notice\",\"output\":\"o\",\"time\":\"2025-02-01T10:00:00Z\","
        + "\"output_fields\":{\"container.id\":\"3ad7b26ded6d\",\"container.type\":\"<NA>\",\"k8s.pod.ip\":\"<NA>\","
        + "\"k8smeta.pod.name\":\"web-0\",\"k8smeta.ns.name\":\"shop\",\"k8smeta.pod.ip\":\"10.1.2.4\"}}\n");
    assertThat(ev.get(0).getContainer().getRuntime()).isEqualTo("containerd");
    assertThat(ev.get(0).getKubernetes().getPodIp()).isEqualTo("10.1.2.3");
    assertThat(ev.get(1).getContainer().getRuntime()).isNull();
    assertThat(ev.get(1).getKubernetes().getPodIp()).isEqualTo("10.1.2.4");
  }

  /**
   * json_include_output_fields_property false: no output_fields; the output's key=value fields (the stock rule's
   * labels and %container.info) name the process, container and pod as a text alert's do.
   */
  @Test
  void withoutOutputFieldsTheOutputsFieldsAreRead() throws Exception {
    var e = alerts("{\"hostname\":\"ip-10-0-1-5\",\"output\":\"2025-02-01T10:00:00.123456789+0000: Notice A shell was "
        + "spawned in a container with an attached terminal (evt_type=execve user=root user_uid=0 process=bash "
        + "proc_exepath=/usr/bin/bash parent=runc command=bash -il terminal=34816 exe_flags=EXE_WRITABLE "
        + "container_id=3ad7b26ded6d container_image=docker.io/library/nginx container_image_tag=1.27 "
        + "container_name=web k8s_ns=shop k8s_pod_name=web-0)\",\"priority\":\"Notice\",\"rule\":\"Terminal shell in "
        + "container\",\"source\":\"syscall\",\"tags\":[\"T1059\"],\"time\":\"2025-02-01T10:00:00.123456789Z\"}\n").get(0);
    assertThat(e.getProcess().getName()).isEqualTo("bash");
    assertThat(e.getProcess().getCmdLine()).isEqualTo("bash -il");
    assertThat(e.getProcess().getParentName()).isEqualTo("runc");
    assertThat(e.getContainer().getUid()).isEqualTo("3ad7b26ded6d");
    assertThat(e.getContainer().getImageName()).isEqualTo("docker.io/library/nginx:1.27");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-0");
    assertThat(e.getUnmapped()).containsEntry("output_fields.evt.type", "execve")
        .containsEntry("strata.output_fields_from", "output");
    var withFields = alerts("{\"output\":\"10:00:00.000000000: Notice x (process=bash)\",\"priority\":\"Notice\","
        + "\"rule\":\"r\",\"time\":\"2025-02-01T10:00:00Z\",\"output_fields\":{\"proc.name\":\"sh\"}}\n").get(0);
    assertThat(withFields.getProcess().getName()).isEqualTo("sh");
    assertThat(withFields.getUnmapped()).doesNotContainKey("strata.output_fields_from");
  }

  /**
   * A document of Falcosidekick's Elasticsearch output with flattenfields (outputs/elasticsearch.go: '.' replaced by '_'
   * in output_fields keys, "@timestamp" = the alert's time), as an index export gives it back.
   */
  @Test
  void falcosidekicksFlattenedElasticsearchFieldsAreMapped() throws Exception {
    var e = alerts("{\"uuid\":\"5f0e7c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6\",\"output\":\"10:00:00.000000000: Warning x\","
        + "\"priority\":\"Warning\",\"rule\":\"Read sensitive file untrusted\",\"time\":\"2025-02-01T10:00:00Z\","
        + "\"output_fields\":{\"container_id\":\"3ad7b26ded6d\",\"container_image_repository\":\"docker.io/library/nginx\","
        + "\"container_image_tag\":\"1.27\",\"k8s_ns_name\":\"shop\",\"k8s_pod_name\":\"web-0\",\"proc_cmdline\":"
        + "\"cat /etc/shadow\",\"proc_pid\":4242,\"fd_name\":\"/etc/shadow\",\"user_name\":\"root\","
        + "\"proc_is_exe_writable\":false},\"source\":\"syscall\",\"tags\":[\"filesystem\"],\"hostname\":\"n1\","
        + "\"@timestamp\":\"2025-02-01T10:00:00Z\"}\n").get(0);
    assertThat(e.getContainer().getUid()).isEqualTo("3ad7b26ded6d");
    assertThat(e.getContainer().getImageName()).isEqualTo("docker.io/library/nginx:1.27");
    assertThat(e.getKubernetes().getPodName()).isEqualTo("web-0");
    assertThat(e.getProcess().getCmdLine()).isEqualTo("cat /etc/shadow");
    assertThat(e.getProcess().getPid()).isEqualTo(4242L);
    assertThat(e.getFile().getPath()).isEqualTo("/etc/shadow");
    assertThat(e.getUnmapped()).containsEntry("output_fields.proc_cmdline", "cat /etc/shadow")
        .containsEntry("output_fields.proc_is_exe_writable", "false").containsEntry("@timestamp", "2025-02-01T10:00:00Z")
        .containsEntry("output_fields.fd.name", "/etc/shadow").doesNotContainKey("output_fields.proc.is.exe.writable");
  }

  /** An alert of the cloudtrail plugin (source aws_cloudtrail; ct.* fields of the plugin's README). */
  @Test
  void aCloudTrailPluginAlertNamesTheCall() throws Exception {
    var e = alerts("{\"hostname\":\"falco-ct\",\"output\":\"Detected a console login without MFA\",\"priority\":\"Critical\","
        + "\"rule\":\"Console Login Without MFA\",\"source\":\"aws_cloudtrail\",\"tags\":[\"cloud\",\"aws\"],"
        + "\"time\":\"2025-02-01T10:00:00Z\",\"output_fields\":{\"ct.name\":\"ConsoleLogin\",\"ct.src\":"
        + "\"signin.amazonaws.com\",\"ct.user\":\"alice\",\"ct.user.arn\":\"arn:aws:iam::111122223333:user/alice\","
        + "\"ct.user.accountid\":\"111122223333\",\"ct.region\":\"us-east-1\",\"ct.srcip\":\"198.51.100.23\","
        + "\"ct.requestid\":\"<NA>\",\"ct.error\":\"<NA>\",\"ct.useragent\":\"Mozilla/5.0\"}}\n").get(0);
    assertThat(e.getApi().getService()).isEqualTo("signin.amazonaws.com");
    assertThat(e.getApi().getOperation()).isEqualTo("ConsoleLogin");
    assertThat(e.getApi().getResponseError()).isNull();
    assertThat(e.getActor().getUserName()).isEqualTo("alice");
    assertThat(e.getActor().getUserUid()).isEqualTo("arn:aws:iam::111122223333:user/alice");
    assertThat(e.getCloud().getAccountUid()).isEqualTo("111122223333");
    assertThat(e.getCloud().getRegion()).isEqualTo("us-east-1");
    assertThat(e.getCloud().getProvider()).isEqualTo("AWS");
    assertThat(e.getSrcEndpoint().getIp()).isEqualTo("198.51.100.23");
    assertThat(e.getHttpRequest().getUserAgent()).isEqualTo("Mozilla/5.0");
    assertThat(e.getUnmapped()).containsEntry("source", "aws_cloudtrail");
  }
}
