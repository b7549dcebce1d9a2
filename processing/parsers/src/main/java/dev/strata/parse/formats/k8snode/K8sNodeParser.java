package dev.strata.parse.formats.k8snode;

import dev.strata.parse.JsonRecordsParser;
import java.util.Set;

/**
 * A snapshot of Nodes as {@code kubectl get nodes -o json} prints it (a {@code List} / {@code NodeList} whose {@code
 * items} are v1 Nodes; also as {@code JSON_RECORDS} chunks, JSON lines of Nodes, a single Node): one event per Node.
 * The mapping is in {@link K8sNodeMapper}. Why: a Node names its cloud instance ({@code spec.providerID}) and its own
 * addresses ({@code status.addresses}); on a cluster whose audit log holds no Node object (a policy at {@code
 * Metadata}, or nodes excluded) such a snapshot is what ties the node to its instance (docs/correlation.md, "A node's
 * instance").
 */
public final class K8sNodeParser extends JsonRecordsParser {

  public static final String FORMAT = "k8s_node";

  public K8sNodeParser() {
    super(FORMAT, Set.of("items"), K8sNodeMapper::new);
  }
}
