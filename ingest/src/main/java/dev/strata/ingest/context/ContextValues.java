package dev.strata.ingest.context;

import dev.strata.schema.common.EvidenceContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the evidence itself omits: host, cluster, cloud provider/account/region, the host's cloud instance. Any field
 * may be null (unknown). Used for command-line defaults, context-manifest entries and path-layout hints.
 */
public record ContextValues(
    String host, String cluster, String cloudProvider, String cloudAccount, String cloudRegion, String cloudInstance) {

  public static final ContextValues EMPTY = new ContextValues(null, null, null, null, null, null);

  /** Without an instance (evidence that is not one host's, or whose instance is not known). */
  public ContextValues(String host, String cluster, String cloudProvider, String cloudAccount, String cloudRegion) {
    this(host, cluster, cloudProvider, cloudAccount, cloudRegion, null);
  }

  public ContextValues {
    host = blankToNull(host);
    cluster = blankToNull(cluster);
    cloudProvider = blankToNull(cloudProvider);
    cloudAccount = blankToNull(cloudAccount);
    cloudRegion = blankToNull(cloudRegion);
    cloudInstance = blankToNull(cloudInstance);
  }

  /** Field names as used in manifests and reports (snake_case) mapped to their values, nulls omitted. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "host", host);
    put(m, "cluster", cluster);
    put(m, "cloud_provider", cloudProvider);
    put(m, "cloud_account", cloudAccount);
    put(m, "cloud_region", cloudRegion);
    put(m, "cloud_instance", cloudInstance);
    return m;
  }

  /** The value of a field by its snake_case name. */
  public String get(String field) {
    return switch (field) {
      case "host" -> host;
      case "cluster" -> cluster;
      case "cloud_provider" -> cloudProvider;
      case "cloud_account" -> cloudAccount;
      case "cloud_region" -> cloudRegion;
      case "cloud_instance" -> cloudInstance;
      default -> throw new IllegalArgumentException("unknown context field " + field);
    };
  }

  /** This value where set, else {@code fallback}'s, field by field. */
  public ContextValues orElse(ContextValues fallback) {
    return new ContextValues(
        host != null ? host : fallback.host,
        cluster != null ? cluster : fallback.cluster,
        cloudProvider != null ? cloudProvider : fallback.cloudProvider,
        cloudAccount != null ? cloudAccount : fallback.cloudAccount,
        cloudRegion != null ? cloudRegion : fallback.cloudRegion,
        cloudInstance != null ? cloudInstance : fallback.cloudInstance);
  }

  public boolean isEmpty() {
    return asMap().isEmpty();
  }

  public EvidenceContext toAvro() {
    return EvidenceContext.newBuilder()
        .setHost(host)
        .setCluster(cluster)
        .setCloudProvider(cloudProvider)
        .setCloudAccount(cloudAccount)
        .setCloudRegion(cloudRegion)
        .setCloudInstance(cloudInstance)
        .build();
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
