package dev.strata.parse.formats.k8sservice;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * A snapshot of Services as {@code kubectl get services [-A] -o json} prints it (a {@code List} / {@code ServiceList}
 * whose {@code items} are v1 Services; also as {@code JSON_RECORDS} chunks, JSON lines of Services, a single Service):
 * one event per Service. The mapping is in {@link K8sServiceMapper}. Why: a NodePort Service's {@code nodePort} and
 * {@code selector} are what say which pods a connection to a node's port reaches (kube-proxy forwards it to a pod of
 * the selector on any node); on a cluster whose audit policy logs at {@code Metadata} no audit record holds the
 * Service's body (CrioKubeadmScenarioIT: 30888 on the node, no Service in evidence).
 */
public final class K8sServiceParser extends JsonRecordsParser {

  public static final String FORMAT = "k8s_service";

  public K8sServiceParser() {
    super(FORMAT, Set.of("items"), K8sServiceMapper::new);
  }
}
