package dev.strata.parse.formats.k8sevent;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * Kubernetes Events (core {@code v1} and {@code events.k8s.io/v1}) to OCSF 0 Base Event. Shapes: the
 * {@code List}/{@code EventList} document of {@code kubectl get events -A -o json} ({@code items}; also as
 * {@code JSON_RECORDS} chunks), one Event object per line ({@code kubectl get events -w -o json}, exporters), a single
 * Event object. The mapping is in {@link K8sEventMapper}.
 */
public final class K8sEventParser extends JsonRecordsParser {

  public static final String FORMAT = "k8s_event";

  /** Container field whose array elements are records: List / EventList items. */
  static final Set<String> CONTAINERS = Set.of("items");

  public K8sEventParser() {
    super(FORMAT, CONTAINERS, K8sEventMapper::new);
  }
}
