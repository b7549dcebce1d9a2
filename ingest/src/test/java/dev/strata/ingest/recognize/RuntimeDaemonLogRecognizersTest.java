package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which runtime daemon's log a file is: dockerd, containerd or CRI-O (the same envelopes, told apart by content). */
class RuntimeDaemonLogRecognizersTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String ID = "3f4e8a9c2b1d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void containerdInEveryEnvelope() {
    String plain = "time=\"2026-11-20T10:00:00Z\" level=info msg=\"StartContainer for \\\"" + ID
        + "\\\" returns successfully\"\n";
    assertThat(rec("x/anything.txt", plain).sourceType()).isEqualTo("containerd_daemon_log");
    assertThat(rec("x/anything.txt", plain).framing()).isEqualTo(Framing.LINES);
    assertThat(rec("x/a", "INFO[2026-11-20T10:00:00.000000000Z] loading plugin"
        + " \"io.containerd.snapshotter.v1.native\"...  type=io.containerd.snapshotter.v1\n").sourceType())
        .isEqualTo("containerd_daemon_log");
    String syslog = "Nov 20 10:00:00 ip-10-0-1-10 kubelet[1200]: I1120 started\n"
        + "Nov 20 10:00:01.5 ip-10-0-1-10 containerd[941]: time=\"2026-11-20T10:00:01Z\" level=info msg=\"x\"\n";
    assertThat(rec("evidence/var/log/messages", syslog).sourceType()).isEqualTo("containerd_daemon_log");
    String journal = "{\"__CURSOR\":\"s\",\"__REALTIME_TIMESTAMP\":\"1\",\"_SYSTEMD_UNIT\":\"containerd.service\","
        + "\"MESSAGE\":\"time=x\"}\n";
    assertThat(rec("export.json", journal).sourceType()).isEqualTo("containerd_daemon_log");
    // nothing but kubelet lines: only at containerd's own path
    String kubelet = "Nov 20 10:00:00 ip-10-0-1-10 kubelet[1200]: I1120 started\n";
    assertThat(rec("node/logs/containerd.log", kubelet).sourceType()).isEqualTo("containerd_daemon_log");
    assertThat(rec("eks-logs/containerd/containerd-log.txt", "-- Logs begin at x --\n" + kubelet).sourceType())
        .isEqualTo("containerd_daemon_log");
    assertThat(rec("sosreport/sos_commands/containerd/journalctl_--no-pager_--unit_containerd", kubelet)
        .sourceType()).isEqualTo("containerd_daemon_log");
    assertThat(rec("node/journal-containerd.json", "{\"__CURSOR\":\"s\",\"_SYSTEMD_UNIT\":\"kubelet.service\","
        + "\"MESSAGE\":\"x\"}\n").sourceType()).isEqualTo("containerd_daemon_log");
  }

  @Test
  void crioInEveryEnvelope() {
    String plain = "time=\"2026-11-20 10:00:01.4Z\" level=info msg=\"Created container " + ID
        + ": shop/cache-0/cache\" id=0f8a name=/runtime.v1.RuntimeService/CreateContainer\n";
    assertThat(rec("x/anything.txt", plain).sourceType()).isEqualTo("crio_daemon_log");
    String syslog = "Nov 20 10:00:01 worker-0 crio[1818]: time=\"2026-11-20 10:00:01Z\" level=info msg=\"x\"\n";
    assertThat(rec("host/var/log/messages", syslog).sourceType()).isEqualTo("crio_daemon_log");
    String journal = "{\"__CURSOR\":\"s\",\"_SYSTEMD_UNIT\":\"crio.service\",\"SYSLOG_IDENTIFIER\":\"crio\","
        + "\"MESSAGE\":\"time=x\"}\n";
    assertThat(rec("export.json", journal).sourceType()).isEqualTo("crio_daemon_log");
    assertThat(rec("node/crio.log", "Nov 20 10:00:00 worker-0 kubelet[1]: I1120 x\n").sourceType())
        .isEqualTo("crio_daemon_log");
    assertThat(rec("sos_commands/crio/journalctl_--no-pager_--unit_crio", "Nov 20 10:00:00 w kubelet[1]: I1120 x\n")
        .sourceType()).isEqualTo("crio_daemon_log");
  }

  @Test
  void aDockerHostsSyslogStaysDockerdsAndOtherwiseTheDaemonWithMostLinesWins() {
    String docker = "Nov 20 10:00:00 node-7 dockerd[812]: time=\"2026-11-20T10:00:00Z\" level=info msg=\"a\"\n";
    String containerd = "Nov 20 10:00:00 node-7 containerd[700]: time=\"2026-11-20T10:00:00Z\" level=info msg=\"b\"\n";
    String crio = "Nov 20 10:00:00 node-7 crio[1818]: time=\"2026-11-20 10:00:00Z\" level=info msg=\"c\"\n";
    assertThat(rec("var/log/syslog", containerd + containerd + docker).sourceType())
        .as("the containerd Docker runs, next to dockerd").isEqualTo("docker_daemon_log");
    assertThat(rec("var/log/syslog", crio + containerd + containerd).sourceType()).isEqualTo("containerd_daemon_log");
    assertThat(rec("var/log/syslog", crio + crio + containerd).sourceType()).isEqualTo("crio_daemon_log");
    // bare logrus lines that no runtime claims stay dockerd's; containerd's own messages make them containerd's
    String bare = "time=\"2026-11-20T10:00:00Z\" level=info msg=\"Shim disconnected\"\n";
    assertThat(rec("x/a.log", bare).sourceType()).isEqualTo("docker_daemon_log");
    String taskExit = "time=\"2026-11-20T10:00:00Z\" level=info msg=\"TaskExit event container_id:\\\"" + ID
        + "\\\"\"\n";
    assertThat(rec("x/a.log", bare + bare + taskExit).sourceType()).isEqualTo("containerd_daemon_log");
    String dockerApi = "time=\"2026-11-20T10:00:00Z\" level=debug msg=\"Calling POST /v1.43/containers/create\"\n";
    assertThat(rec("x/a.log", dockerApi + dockerApi + taskExit).sourceType()).isEqualTo("docker_daemon_log");
  }

  @Test
  void otherLogsAreNotADaemonLog() {
    assertThat(rec("notes.txt", "hello world\n").recognized()).isFalse();
    assertThat(rec("x/ssh.txt", "Nov 20 10:00:00 n sshd[1]: Accepted publickey\n").recognized()).isFalse();
  }

  @Test
  void theKubeletsLogBareInJournaldOrSyslogIsKubeletLogAndLosesToARuntimeWithMoreLines() {
    String klog = "I1120 10:00:00.050000    2210 kubelet.go:2425] \"SyncLoop ADD\" source=\"api\" pods=[\"a/b\"]\n";
    assertThat(rec("x/anything.txt", klog).sourceType()).isEqualTo("kubelet_log");
    assertThat(rec("x/anything.txt", "Log file created at: 2026/11/20 09:59:59\n" + klog).sourceType())
        .isEqualTo("kubelet_log");
    String syslog = "Nov 20 10:00:00 ip-10-0-1-10 kubelet[2210]: " + klog;
    assertThat(rec("node/var/log/messages", syslog).sourceType()).isEqualTo("kubelet_log");
    String journal = "{\"__CURSOR\":\"s\",\"__REALTIME_TIMESTAMP\":\"1\",\"_SYSTEMD_UNIT\":\"kubelet.service\","
        + "\"MESSAGE\":\"I1120 10:00:00.050000    2210 kubelet.go:2425] SyncLoop\"}\n";
    assertThat(rec("export.json", journal).sourceType()).isEqualTo("kubelet_log");
    // a node's messages file with more containerd lines than kubelet lines stays containerd's
    String containerd = "Nov 20 10:00:01 ip-10-0-1-10 containerd[941]: time=\"2026-11-20T10:00:01Z\" level=info msg=\"x\"\n";
    assertThat(rec("node/var/log/messages", syslog + containerd + containerd).sourceType())
        .isEqualTo("containerd_daemon_log");
    // kubelet lines that are no klog (no header) do not make the file the kubelet's
    assertThat(rec("x/anything.txt", "Nov 20 10:00:00 ip-10-0-1-10 kubelet[1200]: I1120 started\n").recognized())
        .isFalse();
    assertThat(rec("eks-logs/kubelet/kubelet.log", klog).sourceType()).isEqualTo("kubelet_log");
  }
}
