package dev.strata.parse.formats.k8saudit;

import dev.strata.parse.JsonRecordStream;
import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * Kubernetes API server audit log ({@code audit.k8s.io/v1} and {@code v1beta1} {@code Event}s) to OCSF 6003 API
 * Activity. Shapes: one Event per line (the log backend), an {@code EventList} document ({@code items}), the EKS
 * CloudWatch Logs forms (a record whose {@code message} / {@code @message} string holds the Event JSON, one per line
 * or in a {@code {"events":[...]}} document as {@code aws logs get-log-events}/{@code filter-log-events} print it, or a
 * subscription's {@code {"logEvents":[...]}}), the managed clusters' envelopes (GKE's Cloud Logging entries with a
 * {@code k8s.io} AuditLog payload, {@link GkeAuditPayload}; AKS's Azure diagnostic records of category
 * {@code kube-audit} / {@code kube-audit-admin}, one per line or in an Event Hub {@code {"records":[...]}} message;
 * {@link ManagedClusterEnvelope}), and chunks of those cut by the collector (see {@link JsonRecordStream}). The
 * mapping is in {@link AuditMapper}.
 */
public final class K8sAuditParser extends JsonRecordsParser {

  public static final String FORMAT = "k8s_audit";

  /**
   * Container fields whose array elements are records: EventList.items, CloudWatch Logs events, a CloudWatch Logs
   * subscription's (Firehose) logEvents, an Azure Event Hub message's records (AKS diagnostic logs).
   */
  static final Set<String> CONTAINERS = Set.of("items", "events", "logEvents", "records");

  public K8sAuditParser() {
    super(FORMAT, CONTAINERS, AuditMapper::new);
  }
}
