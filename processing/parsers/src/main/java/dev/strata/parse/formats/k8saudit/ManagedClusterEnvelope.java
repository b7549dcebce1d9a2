package dev.strata.parse.formats.k8saudit;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.parse.Json;
import dev.strata.parse.JsonRecordStream.Source;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.Kubernetes;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The envelope a managed cluster's audit record arrives in, where it names the cluster and the cloud account the
 * record itself does not:
 *
 * <ul>
 *   <li><b>GKE</b>, a Cloud Logging {@code LogEntry}: {@code resource} ({@code type} k8s_cluster, {@code labels}
 *       cluster_name, project_id, location), {@code operation.id} and {@code insertId} (the request's id),
 *       {@code labels} (the audit annotations: {@code authorization.k8s.io/decision}, {@code /reason},
 *       {@code pod-security.kubernetes.io/*}, ...), {@code logName}. The payload is read by {@link GkeAuditPayload}.
 *   <li><b>AKS</b>, an Azure Monitor diagnostic record of category {@code kube-audit} or {@code kube-audit-admin} (a
 *       storage account's {@code insights-logs-kube-audit/.../PT1H.json} lines, an Event Hub's {@code records}):
 *       {@code properties.log} holds the audit Event as JSON text, {@code properties.pod} the API server pod,
 *       {@code resourceId} {@code /SUBSCRIPTIONS/<id>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.CONTAINERSERVICE/
 *       MANAGEDCLUSTERS/<name>} (upper case as Azure writes it: the name is kept in lower case, as Azure names are
 *       case-insensitive and kubeconfig contexts write them so).
 * </ul>
 *
 * The cluster goes to {@code kubernetes.cluster} and the account to {@code cloud} (provider gcp / azure, account
 * uid = project id / subscription id, region and zone from GKE's location), over what the collection context said:
 * the record knows its cluster better than a bundle's defaults. Everything else is kept in unmapped under the
 * envelope's prefix ({@code gke.} / {@code azure.}).
 */
final class ManagedClusterEnvelope {
  private static final Pattern AZURE_CLUSTER =
      Pattern.compile(
          "/SUBSCRIPTIONS/([^/]+)/RESOURCEGROUPS/([^/]+)/PROVIDERS/MICROSOFT\\.CONTAINERSERVICE/MANAGEDCLUSTERS/([^/]+)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern GCP_ZONE = Pattern.compile("([a-z]+-[a-z]+\\d+)-[a-z]");

  String insertId;
  String operationId;
  /** AKS: properties.log, the audit Event's JSON text. */
  String log;
  private String resourceType;
  private String cluster;
  private String project;
  private String location;
  private String resourceId;
  private String category;
  private final Map<String, String> kept = new LinkedHashMap<>();

  void clear() {
    insertId = operationId = log = resourceType = cluster = project = location = resourceId = category = null;
    kept.clear();
  }

  /**
   * Reads an envelope field of the record's top level; false (nothing consumed) when {@code name}'s value is not of
   * the envelope's shape, for the caller to keep as is.
   */
  boolean field(String name, JsonParser p, Source src, int maxBytes) throws IOException {
    JsonToken t = p.currentToken();
    switch (name) {
      case "insertId" -> insertId = Json.scalarText(p);
      case "resourceId" -> resourceId = Json.scalarText(p);
      case "category" -> category = Json.scalarText(p);
      case "logName" -> kept.put("logName", Json.scalarText(p));
      case "resource" -> {
        if (t != JsonToken.START_OBJECT) return false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken ft = p.nextToken();
          if (f.equals("type")) {
            resourceType = Json.scalarText(p);
          } else if (f.equals("labels") && ft == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String l = p.currentName();
              p.nextToken();
              String v = Json.scalarText(p);
              switch (l) {
                case "cluster_name" -> cluster = v;
                case "project_id" -> project = v;
                case "location" -> location = v;
                default -> putIf("resource.labels." + l, v);
              }
            }
          } else {
            putIf("resource." + f, src.valueText(p, maxBytes));
          }
        }
      }
      case "operation" -> {
        if (t != JsonToken.START_OBJECT) return false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          p.nextToken();
          if (f.equals("id")) operationId = Json.scalarText(p);
          else putIf("operation." + f, src.valueText(p, maxBytes));
        }
      }
      case "labels" -> {
        if (t != JsonToken.START_OBJECT) return false;
        src.flatten(p, "annotations", kept, maxBytes);
      }
      case "properties" -> {
        if (t != JsonToken.START_OBJECT) return false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken ft = p.nextToken();
          if (f.equals("log") && ft == JsonToken.VALUE_STRING) log = p.getText();
          else putIf("properties." + f, src.valueText(p, maxBytes));
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  boolean isAzure() {
    return resourceId != null || (category != null && category.startsWith("kube-audit"));
  }

  /** The cluster and account the envelope names, onto the event. */
  void apply(EvidenceEvent e) {
    String clusterName = cluster;
    String provider = null;
    String account = null;
    String region = null;
    String zone = null;
    if (cluster != null || "k8s_cluster".equals(resourceType)) {
      provider = "gcp";
      account = project;
      if (location != null) {
        Matcher z = GCP_ZONE.matcher(location);
        if (z.matches()) {
          region = z.group(1);
          zone = location;
        } else {
          region = location;
        }
      }
    }
    if (resourceId != null) {
      Matcher m = AZURE_CLUSTER.matcher(resourceId);
      if (m.find()) {
        provider = "azure";
        account = m.group(1).toLowerCase(Locale.ROOT);
        clusterName = m.group(3).toLowerCase(Locale.ROOT);
      }
    }
    if (clusterName != null) {
      Kubernetes k = e.getKubernetes();
      if (k == null) {
        k = new Kubernetes();
        e.setKubernetes(k);
      }
      k.setCluster(clusterName);
    }
    if (provider != null) {
      Cloud c = e.getCloud();
      if (c == null) {
        c = new Cloud();
        e.setCloud(c);
      }
      c.setProvider(provider);
      if (account != null) c.setAccountUid(account);
      if (region != null) c.setRegion(region);
      if (zone != null) c.setAvailabilityZone(zone);
    }
  }

  /** The envelope's other fields, into unmapped under {@code prefix}. */
  void unmapped(Map<String, String> u, String prefix) {
    if (insertId != null) u.put(prefix + "insertId", insertId);
    if (operationId != null) u.put(prefix + "operation.id", operationId);
    if (resourceType != null) u.put(prefix + "resource.type", resourceType);
    if (cluster != null) u.put(prefix + "resource.labels.cluster_name", cluster);
    if (project != null) u.put(prefix + "resource.labels.project_id", project);
    if (location != null) u.put(prefix + "resource.labels.location", location);
    if (resourceId != null) u.put(prefix + "resourceId", resourceId);
    if (category != null) u.put(prefix + "category", category);
    for (Map.Entry<String, String> k : kept.entrySet()) {
      // GKE's labels are the audit Event's annotations: kept where the API server's own log has them
      u.put(k.getKey().startsWith("annotations.") ? k.getKey() : prefix + k.getKey(), k.getValue());
    }
  }

  private void putIf(String k, String v) {
    if (v != null) kept.put(k, v);
  }
}
