package dev.strata.parse.formats.falcoalert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.parse.testing.CollectingOutput;
import dev.strata.schema.common.Framing;
import dev.strata.schema.event.EvidenceEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Falco's text output ({@code json_output: false}). Fixture lines follow the output templates of falcosecurity/rules
 * (style guide: {@code "desc | evt_type=.. user=.. ... %container.info"}; older rules: {@code "desc (user=..
 * cmdline=.. container_id=.. image=..)"}) and Falco's {@code -pk} expansion of {@code %container.info}; values
 * invented.
 */
class FalcoTextOutputTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new FalcoAlertParser();
  }

  @Test
  void fieldsOfAStyleGuideOutputAreKeyedByTheFalcoFieldTheyPrint() {
    Map<String, String> f = FalcoTextOutput.fields("Drop and execute new binary in container | evt_type=execve"
        + " user=root user_uid=0 process=xmrig proc_exepath=/tmp/xmrig parent=sh command=xmrig -o pool:3333 --tls"
        + " terminal=0 exe_flags=EXE_WRITABLE|EXE_UPPER_LAYER container_id=3ad5f0ae5f9b container_image=nginx"
        + " container_image_tag=1.25 container_name=web k8s_ns=prod k8s_pod_name=web-7d4b9c");
    assertThat(f).containsEntry("evt.type", "execve").containsEntry("user.name", "root")
        .containsEntry("proc.name", "xmrig").containsEntry("proc.exepath", "/tmp/xmrig")
        .containsEntry("proc.cmdline", "xmrig -o pool:3333 --tls")
        .containsEntry("evt.arg.flags", "EXE_WRITABLE|EXE_UPPER_LAYER")
        .containsEntry("container.id", "3ad5f0ae5f9b").containsEntry("container.image.repository", "nginx")
        .containsEntry("container.image.tag", "1.25").containsEntry("k8s.pod.name", "web-7d4b9c");
    assertThat(FalcoTextOutput.title("Drop and execute new binary in container | evt_type=execve"))
        .isEqualTo("Drop and execute new binary in container");
  }

  @Test
  void fieldsOfAnOlderParenthesizedOutput() {
    String output = "A shell was spawned in a container with an attached terminal (user=root user_loginuid=-1"
        + " k8s.ns=default k8s.pod=test container=3ad5f0ae5f9b shell=bash parent=<NA> cmdline=bash -il"
        + " terminal=34817 container_id=3ad5f0ae5f9b image=docker.io/library/nginx)";
    Map<String, String> f = FalcoTextOutput.fields(output);
    assertThat(f).containsEntry("proc.name", "bash").containsEntry("proc.pname", "<NA>")
        .containsEntry("proc.cmdline", "bash -il").containsEntry("container.id", "3ad5f0ae5f9b")
        .containsEntry("container.image.repository", "docker.io/library/nginx")
        .containsEntry("k8s.ns.name", "default").containsEntry("k8s.pod.name", "test");
    assertThat(FalcoTextOutput.title(output)).isEqualTo("A shell was spawned in a container with an attached terminal");
  }

  @Test
  void aTextOutputFileWithFalcosLogLinesAndAlerts() throws Exception {
    String content = "Wed May  1 10:00:00 2024: Falco version: 0.37.1 (x86_64)\n"
        + "Wed May  1 10:00:00 2024: Loading rules from file /etc/falco/falco_rules.yaml\n"
        + "10:20:05.408091526: Notice A shell was spawned in a container with an attached terminal (user=root"
        + " user_loginuid=-1 shell=sh parent=runc cmdline=sh terminal=34816 container_id=3ad5f0ae5f9b"
        + " image=nginx)\n"
        + "May  1 10:21:00 ip-10-0-1-23 falco[812]: 10:21:00.000000001: Critical Sensitive file opened for reading"
        + " by non-trusted program (file=/etc/shadow user=root command=cat /etc/shadow container_id=host)\n"
        + "Events detected: 2\n";
    CollectingOutput out = parse(content, Framing.LINES, "var/log/falco.log");

    assertThat(out.rejections).isEmpty();
    assertThat(out.events).extracting(EvidenceEvent::getClassUid).containsExactly(0, 0, 2004, 2004, 0);
    assertThat(out.events.get(0).getTime().toString()).isEqualTo("2024-05-01T10:00:00Z");
    EvidenceEvent shell = out.events.get(2);
    assertThat(shell.getSourceFormat()).isEqualTo("falco_alert");
    assertThat(shell.getTime().toString()).isEqualTo("2024-05-01T10:20:05.408091Z");
    assertThat(shell.getTimeOriginal()).isEqualTo("10:20:05.408091526");
    assertThat(shell.getFinding().getRule()).isEqualTo("A shell was spawned in a container with an attached terminal");
    assertThat(shell.getContainer().getUid()).isEqualTo("3ad5f0ae5f9b");
    assertThat(shell.getUnmapped()).containsEntry("strata.falco_output", "text");
    EvidenceEvent shadow = out.events.get(3);
    assertThat(shadow.getSeverityId()).isEqualTo(5);
    assertThat(shadow.getContainer()).isNull(); // container_id=host is the host itself
    assertThat(shadow.getFile().getPath()).isEqualTo("/etc/shadow");
    assertThat(shadow.getProcess().getCmdLine()).isEqualTo("cat /etc/shadow");
    assertThat(shadow.getLineage().getLineNumber()).isEqualTo(4);
    // the syslog prefix names the alert's host; the collection's host stays in unmapped
    assertThat(shadow.getDevice().getHostname()).isEqualTo("ip-10-0-1-23");
    assertThat(shadow.getUnmapped()).containsEntry("strata.context_host", "node-1");
    assertThat(shell.getDevice().getHostname()).isEqualTo("node-1");
    assertThat(out.events.get(4).getMessage()).isEqualTo("Events detected: 2");
  }

  @Test
  void aTimeOfDayWithoutAnyDatedLineGoesOnTheCollectionDateWithAWarning() throws Exception {
    CollectingOutput out = parse("16:17:57.881781397: Warning An open was seen (command=cat /dev/null)\n",
        Framing.LINES, "falco.txt");
    EvidenceEvent e = out.events.get(0);
    // Chunks.COLLECTED_AT is 2026-01-02T03:04:05Z: the nearest 16:17:57 is the day before
    assertThat(e.getTime().toString()).isEqualTo("2026-01-01T16:17:57.881781Z");
    assertThat(e.getUnmapped().get("strata.warning")).contains("collection date");
  }
}
