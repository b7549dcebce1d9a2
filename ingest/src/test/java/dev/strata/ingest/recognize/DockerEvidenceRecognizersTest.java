package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Recognition of the Docker evidence formats beyond json-file logs and container state files. */
class DockerEvidenceRecognizersTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void daemonLogInEveryShape() {
    String logfmt = "time=\"2024-05-01T12:00:00.1Z\" level=info msg=\"Starting up\"\n";
    assertThat(rec("x/anything.txt", logfmt).sourceType()).isEqualTo("docker_daemon_log");
    assertThat(rec("x/anything.txt", logfmt).framing()).isEqualTo(Framing.LINES);
    assertThat(rec("x/a", "INFO[2024-05-01T12:00:00.000000000Z] Starting up\n").sourceType())
        .isEqualTo("docker_daemon_log");
    String syslog = "Jan  2 03:00:00 node-7 sshd[2201]: Accepted publickey\n"
        + "Jan  2 03:00:01 node-7 dockerd[812]: time=\"2026-01-02T03:00:01Z\" level=info msg=\"x\"\n";
    assertThat(rec("evidence/var/log/syslog", syslog).sourceType()).isEqualTo("docker_daemon_log");
    assertThat(rec("somewhere/else.log", syslog).sourceType()).isEqualTo("docker_daemon_log");
    assertThat(rec("x/y", "2026-01-02T02:00:02.25+01:00 node-7 dockerd[812]: msg\n").sourceType())
        .isEqualTo("docker_daemon_log");
    assertThat(rec("x/y", "<30>1 2026-01-02T02:00:03.5Z node-7 dockerd 812 - - hello\n").sourceType())
        .isEqualTo("docker_daemon_log");
    String journal = "{\"__CURSOR\":\"s\",\"__REALTIME_TIMESTAMP\":\"1\",\"_SYSTEMD_UNIT\":\"docker.service\","
        + "\"MESSAGE\":\"time=x\"}\n";
    assertThat(rec("export.json", journal).sourceType()).isEqualTo("docker_daemon_log");
    // a syslog without dockerd in the sample: only at a syslog path
    String other = "Jan  2 03:00:00 node-7 sshd[2201]: Accepted publickey\n";
    assertThat(rec("host/var/log/syslog.1", other).sourceType()).isEqualTo("docker_daemon_log");
    assertThat(rec("host/var/log/messages", other).sourceType()).isEqualTo("docker_daemon_log");
    assertThat(rec("notes/ssh.txt", other).recognized()).isFalse();
    assertThat(rec("notes.txt", "hello world\n").recognized()).isFalse();
  }

  @Test
  void dockerEventsLinesArraysAndLegacy() {
    String line = "{\"status\":\"start\",\"id\":\"ab\",\"from\":\"alpine\",\"Type\":\"container\",\"Action\":\"start\","
        + "\"Actor\":{\"ID\":\"ab\",\"Attributes\":{\"image\":\"alpine\"}},\"scope\":\"local\",\"time\":1,\"timeNano\":1}\n";
    assertThat(rec("x/out.json", line).sourceType()).isEqualTo("docker_events");
    assertThat(rec("x/out.json", line).framing()).isEqualTo(Framing.LINES);
    assertThat(rec("x/out.json", "[" + line.trim() + "]").framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(rec("x/out.json", "{\"status\":\"die\",\"id\":\"ab\",\"from\":\"busybox\",\"time\":1461943101}\n")
        .sourceType()).isEqualTo("docker_events");
    assertThat(rec("x/out.json", "{\"Type\":\"x\",\"kind\":\"Event\"}\n").recognized()).isFalse();
    // plain `docker events` (docker CLI: time RFC3339NanoFixed, Type, Action, Actor.ID, sorted attributes)
    String text = "2024-05-01T14:00:00.123456789+02:00 container create " + "7d".repeat(32)
        + " (image=alpine, name=web)\n2024-05-01T14:00:01.000000000+02:00 network connect " + "ab".repeat(32)
        + " (container=" + "7d".repeat(32) + ", name=bridge, type=bridge)\n";
    assertThat(rec("evidence/events.txt", text).sourceType()).isEqualTo("docker_events");
    assertThat(rec("evidence/events.txt", text).framing()).isEqualTo(Framing.LINES);
    assertThat(rec("evidence/events.txt", "2024-05-01 12:00:00.1 +0000 UTC container create ab (name=x)\n")
        .sourceType()).as("podman's text form").isEqualTo("podman_events");
  }

  @Test
  void dockerDiffOutput() {
    assertThat(rec("x/changes.out", "C /etc\nA /etc/x\nD /usr/bin/ps\n").sourceType()).isEqualTo("docker_diff");
    assertThat(rec("x/changes.out", "A /etc/x\n").sourceType()).isEqualTo("docker_diff");
    assertThat(rec("x/changes.out", "A /etc/x\nhello\n").recognized()).isFalse();
    assertThat(new DockerDiffRecognizer().matchPath("b/docker-diff-" + "a".repeat(64) + ".txt")).isPresent();
    assertThat(new DockerDiffRecognizer().matchPath("b/" + "a".repeat(64) + ".diff")).isPresent();
  }

  @Test
  void dockerInspectArraysLinesAndNotContainerStateFiles() {
    String id = "a".repeat(64);
    String c = "{\"Id\":\"" + id + "\",\"Created\":\"x\",\"State\":{\"Status\":\"running\"},\"Config\":{}}";
    assertThat(rec("x/out.json", "[\n" + c + "\n]\n").sourceType()).isEqualTo("docker_inspect");
    assertThat(rec("x/out.json", "[\n" + c + "\n]\n").framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(rec("x/out.json", "[{\"Id\":\"sha256:" + id + "\",\"RepoTags\":[\"a:1\"]}]").sourceType())
        .isEqualTo("docker_inspect");
    assertThat(rec("x/out.jsonl", c + "\n" + c + "\n").framing()).isEqualTo(Framing.LINES);
    // a container state file (ID, not Id) stays docker_container_config
    String state = "{\"ID\":\"" + id + "\",\"State\":{},\"Config\":{}}";
    assertThat(rec("containers/" + id + "/config.v2.json", state).sourceType()).isEqualTo("docker_container_config");
    assertThat(rec("x/a.json", "[{\"Id\":\"not-hex\",\"State\":{},\"Config\":{}}]").recognized()).isFalse();
  }

  @Test
  void dockerLocalLogFrames() {
    byte[] body = {0x0a, 6, 's', 't', 'd', 'o', 'u', 't', 0x10, 1, 0x1a, 2, 'h', '\n'};
    byte[] f = java.nio.ByteBuffer.allocate(body.length + 8).putInt(body.length).put(body).putInt(body.length).array();
    String path = "var/lib/docker/containers/" + "a".repeat(64) + "/local-logs/container.log";
    Recognition r = Recognizers.recognize(R, "x/blob", new ContentSample(f, true, false));
    assertThat(r.sourceType()).isEqualTo("docker_local_log");
    assertThat(r.framing()).isEqualTo(Framing.LENGTH_PREFIXED);
    for (String rotated : List.of("", ".1", ".3.gz")) {
      assertThat(new DockerLocalLogRecognizer().matchPath(path + rotated)).isPresent();
    }
    // a first frame longer than the sample: only at the standard path
    byte[] head = java.util.Arrays.copyOf(java.nio.ByteBuffer.allocate(12).putInt(200_000).put(body, 0, 8).array(), 12);
    assertThat(Recognizers.recognize(R, path, new ContentSample(head, false, false)).sourceType())
        .isEqualTo("docker_local_log");
    assertThat(Recognizers.recognize(R, "x/blob", new ContentSample(head, false, false)).recognized()).isFalse();
    f[f.length - 1] ^= 1;
    assertThat(Recognizers.recognize(R, "x/blob", new ContentSample(f, true, false)).recognized()).isFalse();
  }

  @Test
  void dockerDesktopLogFromTheCorpus() throws IOException {
    Path f = corpus().resolve("docker/dockerd_desktop_debug_docs-excerpt.log");
    Recognition r = Recognizers.recognize(R, "docker/dockerd_desktop_debug_docs-excerpt.log",
        new ContentSample(Files.readAllBytes(f), true, false));
    assertThat(r.sourceType()).isEqualTo("docker_daemon_log");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
  }

  static Path corpus() {
    Path corpus = Path.of(System.getProperty("strata.shared.dir", "../../shared"), "corpus");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "no shared corpus");
    return corpus;
  }
}
