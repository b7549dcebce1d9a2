package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.EvidenceEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DaemonSet is a pivot ({@link Entity#DAEMON_SET}): the request that created it and the pods its controller made
 * (metadata.ownerReferences, {@code k8s.owner}) share it, so a stolen token's DaemonSet and what its pods did on each
 * node are one incident (DaemonSetEscalationScenarioIT: before, one incident for the token's requests and one per
 * group of nodes). Audit lines written here, collected and parsed by the real collector and parser.
 */
class DaemonSetWorkloadTest {
  @TempDir Path dir;

  private static final String T = "2026-11-24T09:40:05.611020Z";

  /** A Metadata-level create of a DaemonSet by {@code user} from {@code ip}. */
  static String dsCreate(String user, String ip, String name) {
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"ds-" + name
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/apis/apps/v1/namespaces/kube-system/daemonsets\","
        + "\"verb\":\"create\",\"user\":{\"username\":\"" + user + "\",\"groups\":[\"system:serviceaccounts\"]},"
        + "\"sourceIPs\":[\"" + ip + "\"],\"userAgent\":\"kubectl/v1.31.2\",\"objectRef\":{\"resource\":\"daemonsets\","
        + "\"namespace\":\"kube-system\",\"name\":\"" + name + "\",\"apiGroup\":\"apps\",\"apiVersion\":\"v1\"},"
        + "\"responseStatus\":{\"metadata\":{},\"code\":201},\"requestReceivedTimestamp\":\"" + T
        + "\",\"stageTimestamp\":\"" + T + "\"}";
  }

  /** The DaemonSet controller's Request-level create of pod {@code pod} owned by DaemonSet {@code ds}. */
  static String podCreate(String pod, String ds, String time) {
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Request\",\"auditID\":\"pod-" + pod
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/kube-system/pods\",\"verb\":\"create\","
        + "\"user\":{\"username\":\"system:serviceaccount:kube-system:daemon-set-controller\"},\"sourceIPs\":"
        + "[\"10.60.0.47\"],\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"kube-system\",\"name\":\"" + pod
        + "\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"metadata\":{},\"code\":201},\"requestObject\":{\"kind\":"
        + "\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + pod + "\",\"namespace\":\"kube-system\","
        + "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"" + ds + "\",\"uid\":\"u-"
        + ds + "\",\"controller\":true}]},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}},"
        + "\"requestReceivedTimestamp\":\"" + time + "\",\"stageTimestamp\":\"" + time + "\"}";
  }

  private List<EvidenceEvent> parse(String... lines) throws Exception {
    Path f = dir.resolve("cp/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", lines) + "\n");
    List<EvidenceEvent> events = SigmaFixtures.parse(dir.resolve("cp"));
    assertThat(events).hasSize(lines.length);
    events.forEach(e -> {
      e.getKubernetes().setCluster("prod");
      e.setCloud(dev.strata.schema.event.Cloud.newBuilder().setProvider("aws").setAccountUid("111122223333").build());
    });
    return events;
  }

  private static EvidenceEvent alert(String id, Instant t, String node, String ctr, String pod) {
    EvidenceEvent e = IncidentGrouperTest.falco(id, t, node, ctr + "0".repeat(52), pod);
    e.getKubernetes().setNamespace("kube-system");
    return e;
  }

  @Test
  void theTokensDaemonSetAndWhatItsPodsDidOnEachNodeAreOneIncident() throws Exception {
    List<EvidenceEvent> events = new ArrayList<>(parse(
        dsCreate("system:serviceaccount:ci:deployer", "203.0.113.58", "npd-evil"),
        podCreate("npd-evil-aaaaa", "npd-evil", "2026-11-24T09:40:06.120331Z"),
        podCreate("npd-evil-bbbbb", "npd-evil", "2026-11-24T09:40:07.120331Z"),
        podCreate("aws-node-ccccc", "aws-node", "2026-11-24T09:00:11.120331Z")));
    assertThat(EntityKeys.extract(events.get(0)).entities()).filteredOn(en -> en.type().equals(Entity.DAEMON_SET))
        .extracting(Entity::key).containsExactly("DaemonSet/kube-system/npd-evil");
    Instant t = Instant.parse(T);
    List<EvidenceEvent> alerts = List.of(
        alert("a1", t.plusSeconds(12), "ip-10-60-11-21", "d5a13c3c3c3c", "npd-evil-aaaaa"),
        alert("a2", t.plusSeconds(14), "ip-10-60-12-34", "d5a24e4e4e4e", "npd-evil-bbbbb"),
        alert("a3", t.plusSeconds(600), "ip-10-60-13-47", "c1de21212121", "aws-node-ccccc"));
    events.addAll(alerts);
    List<Incident> incs = IncidentEngine.incidentsOf(events, IncidentSettings.defaults());
    assertThat(incs).as("the token's DaemonSet with both its pods' alerts; aws-node's alert alone").hasSize(2);
    Incident evil = incs.stream().filter(i -> i.getSignals() == 3).findFirst().orElseThrow();
    List<String> keys = new ArrayList<>();
    evil.getEntities().forEach(en -> keys.add(en.getType() + ":" + en.getKey()));
    assertThat(keys).contains("daemonset:DaemonSet/kube-system/npd-evil", "pod:kube-system/npd-evil-aaaaa",
        "pod:kube-system/npd-evil-bbbbb", "service_account:ci/deployer").noneMatch(k -> k.contains("aws-node"));
    // without the controller's creates, the token's request and the two alerts (two nodes) share nothing
    List<EvidenceEvent> without = new ArrayList<>(List.of(events.get(0)));
    without.addAll(alerts.subList(0, 2));
    assertThat(IncidentEngine.incidentsOf(without, IncidentSettings.defaults())).hasSize(3);
  }
}
