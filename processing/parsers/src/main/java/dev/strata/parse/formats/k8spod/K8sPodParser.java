package dev.strata.parse.formats.k8spod;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * A snapshot of Pods as {@code kubectl get pods [-A] -o json} prints it (a {@code List} / {@code PodList} whose
 * {@code items} are v1 Pods; also as {@code JSON_RECORDS} chunks, JSON lines of Pods, a single Pod): one event per
 * Pod. The mapping is in {@link K8sPodMapper}. Why: on a cluster whose audit policy logs pods at {@code Metadata}
 * (no request or response bodies: kubeadm's usual policies) such a snapshot is the only record of a pod's node,
 * address, containers and service account (CrioKubeadmScenarioIT).
 */
public final class K8sPodParser extends JsonRecordsParser {

  public static final String FORMAT = "k8s_pod";

  public K8sPodParser() {
    super(FORMAT, Set.of("items"), K8sPodMapper::new);
  }
}
