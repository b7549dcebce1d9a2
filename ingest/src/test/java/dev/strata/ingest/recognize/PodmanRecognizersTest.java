package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Podman / CRI-O / containerd state and event files: recognized by content, never confused with Docker's. */
class PodmanRecognizersTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();
  private static final String ID = "4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void podmanEventsInItsThreeForms() {
    String file = "{\"ID\":\"" + ID + "\",\"Image\":\"alpine\",\"Name\":\"c\",\"Status\":\"create\","
        + "\"Time\":\"2024-05-01T12:00:00.1+02:00\",\"Type\":\"container\"}\n";
    Recognition r = rec("run/libpod/events/events.log", file);
    assertThat(r.sourceType()).isEqualTo("podman_events");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
    assertThat(rec("anywhere/x.json", file).sourceType()).isEqualTo("podman_events");
    String journal = "{\"__CURSOR\":\"s=1\",\"__REALTIME_TIMESTAMP\":\"1714564800000000\",\"SYSLOG_IDENTIFIER\":"
        + "\"podman\",\"PODMAN_EVENT\":\"start\",\"PODMAN_TYPE\":\"container\",\"PODMAN_ID\":\"" + ID + "\"}\n";
    assertThat(rec("export/journal.json", journal).sourceType()).isEqualTo("podman_events");
    // the whole journal exported (journalctl -D <image>/var/log/journal -o json): other programs' entries first, no
    // runtime daemon's: podman's events are its only reading (PodmanHostScenarioIT: root's events were lost before)
    String mixed = "{\"__CURSOR\":\"s=0\",\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"sshd\"}\n" + journal;
    assertThat(rec("export/journal.json", mixed).sourceType()).isEqualTo("podman_events");
    assertThat(rec("export/podman-events.json", mixed).sourceType()).isEqualTo("podman_events");
    // with a runtime daemon's entries too the daemon's reader may claim it; podman's needs its path
    String withDockerd = "{\"__CURSOR\":\"s=0\",\"__REALTIME_TIMESTAMP\":\"1\",\"_SYSTEMD_UNIT\":\"docker.service\","
        + "\"SYSLOG_IDENTIFIER\":\"dockerd\",\"MESSAGE\":\"time=\\\"2024-05-01T12:00:00Z\\\" level=info msg=\\\"x\\\"\"}\n" + journal;
    assertThat(rec("export/journal.json", withDockerd).sourceType()).isNotEqualTo("podman_events");
    assertThat(rec("export/podman-events.json", withDockerd).sourceType()).isIn("podman_events", "docker_daemon_log");
    String text = "2019-03-02 10:33:42.312377447 -0600 CST container create 34503c192940 "
        + "(image=docker.io/library/alpine:latest, name=friendly_allen)\n";
    assertThat(rec("case/out.txt", text).sourceType()).isEqualTo("podman_events");
  }

  @Test
  void podman5sJsonEventsWithDockersEpochTimesArePodmans() {
    // podman events --format json since Podman 5.0 (containers/podman#21784, RHEL 9.5+): "time" and "timeNano"
    String p5 = "{\"ID\":\"" + ID + "\",\"Image\":\"registry.example.com/inventory/sync:1.3.0\",\"Name\":"
        + "\"inventory-sync\",\"Status\":\"create\",\"time\":1795154700,\"timeNano\":1795154700118000331,"
        + "\"Type\":\"container\",\"Attributes\":{\"image\":\"registry.example.com/inventory/sync:1.3.0\"}}\n";
    Recognition r = rec("responder/events-root.json", p5);
    assertThat(r.sourceType()).isEqualTo("podman_events");
    assertThat(r.framing()).isEqualTo(Framing.LINES);
  }

  @Test
  void dockerEventLinesAreNotPodmans() {
    String docker = "{\"status\":\"start\",\"id\":\"" + ID + "\",\"from\":\"alpine\",\"Type\":\"container\","
        + "\"Action\":\"start\",\"Actor\":{\"ID\":\"" + ID + "\",\"Attributes\":{}},\"scope\":\"local\","
        + "\"time\":1714564800,\"timeNano\":1714564800000000000}\n";
    assertThat(rec("case/docker-events.json", docker).sourceType()).isNotEqualTo("podman_events");
  }

  @Test
  void ociConfigByContentNotDockersLegacyConfig() {
    String oci = "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"sh\"]},\"root\":{\"path\":\"rootfs\"}}";
    Recognition r = rec("var/lib/containers/storage/overlay-containers/" + ID + "/userdata/config.json", oci);
    assertThat(r.sourceType()).isEqualTo("oci_runtime_config");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
    assertThat(rec("run/containerd/io.containerd.runtime.v2.task/k8s.io/" + ID + "/config.json", oci).sourceType())
        .isEqualTo("oci_runtime_config");
    // an OCI config under a Docker-like path is still OCI (content decides) ...
    assertThat(rec("var/lib/docker/containers/" + ID + "/config.json", oci).sourceType())
        .isEqualTo("oci_runtime_config");
    // ... and Docker's legacy config.json stays Docker's
    String legacy = "{\"ID\":\"" + ID + "\",\"Created\":\"2016-01-01T00:00:00Z\",\"Config\":{},\"State\":{}}";
    assertThat(rec("var/lib/docker/containers/" + ID + "/config.json", legacy).sourceType())
        .isEqualTo("docker_container_config");
    OciRuntimeConfigRecognizer o = new OciRuntimeConfigRecognizer();
    assertThat(o.matchPath("home/alice/.local/share/containers/storage/overlay-containers/" + ID
        + "/userdata/config.json")).isPresent();
    assertThat(o.matchPath("var/lib/docker/containers/" + ID + "/config.json")).isEmpty();
  }

  @Test
  void containersJsonIsJsonRecords() {
    String cj = "[{\"id\":\"" + ID + "\",\"names\":[\"web\"],\"image\":\"i\",\"layer\":\"l\",\"metadata\":\"{}\"}]";
    Recognition r = rec("var/lib/containers/storage/overlay-containers/containers.json", cj);
    assertThat(r.sourceType()).isEqualTo("podman_containers_json");
    assertThat(r.framing()).isEqualTo(Framing.JSON_RECORDS);
    assertThat(rec("var/lib/containers/storage/overlay-containers/containers.json", "[]").sourceType())
        .isEqualTo("podman_containers_json");
    assertThat(rec("elsewhere/containers.json", "[]").sourceType()).isNull();
  }

  @Test
  void podmanCtrLogIsCriLog() {
    String line = "2024-05-01T12:00:00.123456789+02:00 stdout F hello\n";
    Recognition r = rec("var/lib/containers/storage/overlay-containers/" + ID + "/userdata/ctr.log", line);
    assertThat(r.sourceType()).isEqualTo("cri_log");
    assertThat(r.detail()).contains("standard path");
  }

  @Test
  void crictlExports() {
    String inspect = "{\n  \"status\": {\"id\": \"" + ID + "\", \"state\": \"CONTAINER_RUNNING\"},\n  \"info\": {}\n}\n";
    Recognition r = rec("case/anything.json", inspect);
    assertThat(r.sourceType()).isEqualTo("crictl_inspect");
    assertThat(r.framing()).isEqualTo(Framing.WHOLE);
    String ps = "{\"containers\":[{\"id\":\"" + ID + "\",\"podSandboxId\":\"s\",\"state\":\"CONTAINER_EXITED\"}]}";
    assertThat(rec("case/ps.json", ps).sourceType()).isEqualTo("crictl_inspect");
    String pods = "{\"items\":[{\"id\":\"s\",\"metadata\":{\"name\":\"p\"},\"state\":\"SANDBOX_READY\"}]}";
    assertThat(rec("case/pods.json", pods).sourceType()).isEqualTo("crictl_inspect");
    // docker inspect (capitalized Id / State) is not crictl's
    String docker = "[{\"Id\":\"" + ID + "\",\"State\":{\"Status\":\"running\"},\"Config\":{}}]";
    assertThat(rec("case/inspect.json", docker).sourceType()).isNotEqualTo("crictl_inspect");
  }
}
