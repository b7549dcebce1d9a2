package dev.strata.ingest.recognize;

import java.util.regex.Pattern;

/**
 * {@code k8s_node}: a snapshot of Nodes as {@code kubectl get nodes -o json} prints it: a {@code List} / {@code
 * NodeList} whose first {@code items} element is a v1 Node ({@code kind} Node) — framing JSON_RECORDS (cut after each
 * complete item). kubectl prints an item's keys in order ({@code apiVersion}, {@code kind}, ...), so the kind is in the
 * sample even when the item (a node lists every image it holds) is longer.
 *
 * <p>Path: {@code **}{@code /nodes*.json}, {@code **}{@code /*-nodes*.json} (backs only a probe the sample could not
 * prove: a first item whose kind is past the sample).
 */
public final class K8sNodeRecognizer extends KubectlListRecognizer {
  public static final String SOURCE_TYPE = "k8s_node";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?nodes[^/]*\\.json");

  public K8sNodeRecognizer() {
    super(SOURCE_TYPE, PATH, "Node", "kubectl get nodes -o json");
  }
}
