package dev.strata.ingest.recognize;

import java.util.regex.Pattern;

/**
 * {@code k8s_service}: a snapshot of Services as {@code kubectl get services [-A] -o json} prints it: a {@code List} /
 * {@code ServiceList} whose first {@code items} element is a v1 Service ({@code kind} Service) — framing JSON_RECORDS
 * (cut after each complete item). kubectl prints an item's keys in order ({@code apiVersion}, {@code kind}, ...).
 *
 * <p>Path: {@code **}{@code /services*.json}, {@code **}{@code /svc*.json}, {@code **}{@code /*-services*.json},
 * {@code **}{@code /*-svc*.json} (backs only a probe the sample could not prove: a first item whose kind is past the
 * sample).
 */
public final class K8sServiceRecognizer extends KubectlListRecognizer {
  public static final String SOURCE_TYPE = "k8s_service";

  private static final Pattern PATH = Pattern.compile("(?:^|.*/)(?:[^/]*[-_])?(?:services|svc)[^/]*\\.json");

  public K8sServiceRecognizer() {
    super(SOURCE_TYPE, PATH, "Service", "kubectl get services -o json");
  }
}
