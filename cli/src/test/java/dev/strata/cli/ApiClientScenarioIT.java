package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.ingest.CollectorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An API server probed without credentials, end to end on the embedded stack (collect, parse, correlate, incidents):
 * an EKS control plane's audit log (collected with {@code --cluster probe-eks --account 333333333333}, written here)
 * in which one address inside the VPC (10.77.4.21, a compromised host with no pod) lists pods, secrets and config
 * maps as {@code system:anonymous}, refused first, allowed later (a misconfigured anonymous binding), and a public
 * address (198.51.100.201) probes anonymously and then uses a CI pod's service account token it stole. The
 * controllers' own requests from the control plane's addresses are routine. Until session 13 each allowed anonymous
 * request was an incident of its own (it names no entity); now the probing of one API server from one address is
 * one incident ({@code api_client} entity), and the public address's probing is the token's incident.
 */
@ExtendWith(SharedStack.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiClientScenarioIT {
  static final String CLUSTER = "probe-eks";
  static final String ACCOUNT = "333333333333";
  static final String INSIDE = "10.77.4.21";
  static final String OUTSIDE = "198.51.100.201";

  EvidencePipeline pipeline;
  Path bundle;

  static String audit(String id, String time, String user, String verb, String uri, String resource, String ns,
      int code, String ip, String extra) {
    String ref = resource == null ? ""
        : "\"objectRef\":{\"resource\":\"" + resource + "\"" + (ns == null ? "" : ",\"namespace\":\"" + ns + "\"")
            + ",\"apiVersion\":\"v1\"},";
    return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"" + id
        + "\",\"stage\":\"ResponseComplete\",\"requestURI\":\"" + uri + "\",\"verb\":\"" + verb
        + "\",\"user\":{\"username\":\"" + user + "\"" + (extra == null ? "" : "," + extra) + "},\"sourceIPs\":[\"" + ip
        + "\"],\"userAgent\":\"curl/8.5.0\"," + ref + "\"responseStatus\":{\"metadata\":{},\"code\":" + code + "},"
        + "\"requestReceivedTimestamp\":\"2026-11-21T" + time + "Z\",\"stageTimestamp\":\"2026-11-21T" + time + "Z\"}";
  }

  @BeforeAll
  void runPipeline(StackEndpoints endpoints) throws Exception {
    bundle = Files.createTempDirectory("api-client-scenario");
    String token = "\"groups\":[\"system:serviceaccounts\"],\"extra\":{\"authentication.kubernetes.io/pod-name\":"
        + "[\"build-7f9c\"],\"authentication.kubernetes.io/pod-uid\":[\"0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5\"]}";
    List<String> lines = List.of(
        audit("a01", "08:00:00.100000", "system:kube-controller-manager", "get", "/api/v1/namespaces/kube-system/"
            + "endpoints/kube-controller-manager", "endpoints", "kube-system", 200, "10.77.0.12", null),
        audit("a02", "08:01:10.000000", "system:anonymous", "get", "/version", null, null, 200, INSIDE, null),
        audit("a03", "08:01:12.000000", "system:anonymous", "list", "/api/v1/pods", "pods", null, 403, INSIDE, null),
        audit("a04", "08:01:13.000000", "system:anonymous", "list", "/api/v1/secrets", "secrets", null, 403, INSIDE,
            null),
        audit("a05", "08:04:40.000000", "system:anonymous", "list", "/api/v1/namespaces/default/pods", "pods",
            "default", 200, INSIDE, null),
        audit("a06", "08:04:41.000000", "system:anonymous", "list", "/api/v1/namespaces/default/configmaps",
            "configmaps", "default", 200, INSIDE, null),
        audit("a07", "08:04:43.000000", "system:anonymous", "list", "/api/v1/namespaces/default/secrets", "secrets",
            "default", 200, INSIDE, null),
        audit("a08", "08:05:00.000000", "system:kube-scheduler", "get", "/api/v1/namespaces/kube-system/leases",
            "leases", "kube-system", 200, "10.77.0.13", null),
        audit("a09", "08:10:02.000000", "system:anonymous", "list", "/api/v1/namespaces/ci/pods", "pods", "ci", 200,
            OUTSIDE, null),
        audit("a10", "08:10:05.000000", "system:anonymous", "list", "/api/v1/namespaces/ci/secrets", "secrets", "ci",
            200, OUTSIDE, null),
        audit("a11", "08:12:30.000000", "system:serviceaccount:ci:builder", "list", "/api/v1/namespaces/ci/secrets",
            "secrets", "ci", 200, OUTSIDE, token));
    Path log = bundle.resolve("control-plane/var/log/kubernetes/audit/audit.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, String.join("\n", lines) + "\n");
    pipeline = new EvidencePipeline(EvidencePipeline.Services.of(endpoints));
    ScenarioRun.run(pipeline, endpoints, "api-client-it", bundle,
        CollectorOptions.builder().cluster(CLUSTER).cloudProvider("aws").cloudAccount(ACCOUNT).cloudRegion("us-east-1")
            .build());
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (bundle == null) return;
    try (var walk = Files.walk(bundle)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  List<String> summaries(JsonNode incident) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode r : ScenarioRun.timeline(pipeline, incident)) out.add(r.at("/_source/summary").asText());
    return out;
  }

  @Test
  void theAnonymousProbingFromOneAddressInsideIsOneIncident() throws Exception {
    JsonNode hits = ScenarioRun.incidentsWith(pipeline, CLUSTER + "/" + INSIDE, true);
    assertThat(hits).as("incidents of the inside client").hasSize(1);
    JsonNode inc = hits.get(0).path("_source");
    assertThat(inc.path("signals").asInt()).isEqualTo(3);
    assertThat(inc.path("title").asText()).startsWith("API client " + INSIDE + " of cluster " + CLUSTER + ": entry");
    assertThat(inc.path("first_seen").asText()).startsWith("2026-11-21T08:04:40");
    // its refused requests before the first allowed one are lead-up; the controllers' requests are not its
    List<String> rows = summaries(inc);
    assertThat(rows).hasSize(6).noneMatch(s -> s.contains("kube-controller-manager") || s.contains("kube-scheduler"));
    assertThat(ScenarioRun.entities(inc)).contains("api_client:" + CLUSTER + "/" + INSIDE, "cluster:" + CLUSTER)
        .noneMatch(e -> e.startsWith("ip:") || e.contains(OUTSIDE));
  }

  @Test
  void thePublicAddressesProbingIsTheIncidentOfTheTokenItUsedNext() throws Exception {
    JsonNode hits = ScenarioRun.incidentsWith(pipeline, OUTSIDE, true);
    assertThat(hits).as("incidents of the outside address").hasSize(1);
    JsonNode inc = hits.get(0).path("_source");
    assertThat(inc.path("signals").asInt()).isEqualTo(3);
    assertThat(ScenarioRun.entities(inc)).contains("ip:" + OUTSIDE, "pod:ci/build-7f9c", "service_account:ci/builder")
        .noneMatch(e -> e.contains(INSIDE));
  }

  @Test
  void theTenantHasNoOtherIncident() throws Exception {
    JsonNode all = pipeline.send("POST", "/strata-incidents-*/_search",
        "{\"size\":50,\"query\":{\"bool\":{\"must\":[{\"term\":{\"tenant\":\"aws:" + ACCOUNT + "\"}},"
            + "{\"term\":{\"status\":\"OPEN\"}}]}}}").at("/hits/hits");
    assertThat(all).as("open incidents of the account").hasSize(2);
  }
}
