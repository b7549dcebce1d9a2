package dev.strata.job;

import static dev.strata.job.ContainerEndCorrelationTest.CRI_EXITED;
import static dev.strata.job.ContainerEndCorrelationTest.CRI_RESTARTED;
import static dev.strata.job.ContainerEndCorrelationTest.CRICTL;
import static dev.strata.job.ContainerEndCorrelationTest.onHostNetwork;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A CRI log line names its pod and its container by name (its path {@code <ns>_<pod>_<uid>/<container>/N.log}), not
 * the container's id: {@code pod_container} (a pod's container by name -> the id running under it, stated by the
 * runtime's state and the API server's containerStatuses) gives it the container of its time, and through it the
 * image. fixtures/correlate/node-crictl-inspect.json: shop/api-0's container {@code api} is f0f1.. until it exits at
 * 10:05:00, then its restart a0a1.. from 10:05:05.
 */
class CriLogContainerCorrelationTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static EvidenceEvent criLine(String id, String time) {
    EvidenceEvent e = onHostNetwork(id, "10.0.1.99", time);
    e.setSourceFormat("cri_log");
    e.setSrcEndpoint(null);
    e.setDstEndpoint(null);
    e.setNetwork(null);
    e.setKubernetes(Kubernetes.newBuilder().setCluster("prod").setNamespace("shop").setPodName("api-0")
        .setContainerName("api").build());
    return e;
  }

  @Test
  void aCriLogLineGetsTheContainerThatRanUnderItsNameAtItsTime() throws Exception {
    EvidenceEvent before = criLine("cri-line-1004", "2026-11-20T10:04:00Z");
    EvidenceEvent after = criLine("cri-line-1006", "2026-11-20T10:06:00Z");
    for (boolean linesFirst : new boolean[] {false, true}) {
      List<EvidenceEvent> all = new ArrayList<>();
      if (linesFirst) all.addAll(List.of(before, after));
      all.addAll(CRICTL);
      if (!linesFirst) all.addAll(List.of(before, after));
      var r = ContainerEndCorrelationTest.run(all);
      assertThat(r.latest().get(before.getEventId()).getContainerUid()).isEqualTo(CRI_EXITED);
      assertThat(r.latest().get(before.getEventId()).getImageDigest()).isEqualTo("sha256:" + "e5".repeat(32));
      assertThat(r.latest().get(after.getEventId()).getContainerUid()).as("its restart").isEqualTo(CRI_RESTARTED);
      assertThat(r.facts().values()).filteredOn(b -> b.getKind().equals("pod_container"))
          .extracting(b -> b.getSubject().getKey() + " " + b.getObject().getKey())
          .containsOnly("shop/api-0/api " + CRI_EXITED, "shop/api-0/api " + CRI_RESTARTED);
    }
  }
}
