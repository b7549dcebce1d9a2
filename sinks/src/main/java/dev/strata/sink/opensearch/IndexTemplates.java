package dev.strata.sink.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.sink.FailureClass;
import dev.strata.sink.SinkException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composable index templates with explicit mappings for the strata indices (resources next to this class):
 *
 * <ul>
 *   <li>{@code strata-events} ({@code strata-events-*}): {@code dynamic: strict} at every object level (a field
 *       the template does not declare is rejected, and the document becomes a sink dead letter), except
 *       {@code unmapped} and {@code log.attrs}, which are {@code flat_object} (OpenSearch >= 2.7: any keys,
 *       searchable as {@code unmapped.<key>}, one field in the mapping). Ids, hashes and names are {@code keyword};
 *       {@code time}/{@code observed_time} are {@code date_nanos} (ISO-8601 with microseconds keeps timeline
 *       order); IPs are {@code ip} with {@code ignore_malformed} (a hostname in an IP field does not reject the
 *       event); {@code message} and {@code raw_data} are {@code match_only_text} (as ECS maps {@code message}:
 *       searchable by words and phrases, no positions, frequencies nor keyword copy: a quarter less of the node's
 *       CPU per container log event and of the store, {@code EventIndexingBenchmark}; {@code text} on an
 *       OpenSearch before 2.12, which lacks the type); cmd_line and a few others are {@code text} with a {@code
 *       keyword} sub-field; long keywords carry {@code ignore_above} so an oversize value is not indexed rather
 *       than rejected.
 *   <li>{@code strata-deadletters} ({@code strata-deadletters-*}): {@code dynamic: false} (the last stop must
 *       accept anything), {@code original_b64} as {@code binary} (stored, not indexed), {@code original_text} as
 *       {@code text}.
 *   <li>{@code strata-artifacts} ({@code strata-artifacts-*}): manifests, {@code dynamic: strict}.
 *   <li>{@code strata-bindings} ({@code strata-bindings-*}): entity bindings of the correlation job, {@code dynamic:
 *       strict}, {@code attributes} as {@code flat_object}.
 *   <li>{@code strata-incidents} ({@code strata-incidents-*}): incidents (newest revision per incident_id),
 *       {@code dynamic: strict}; the embedded timeline is stored, not indexed (its rows are searchable in
 *       {@code strata-timeline}).
 *   <li>{@code strata-timeline} ({@code strata-timeline-*}): one document per incident timeline row,
 *       {@code dynamic: strict}.
 * </ul>
 *
 * Settings: 1 shard, 0 replicas, refresh 1 s by default (see {@link OpenSearchSinkConfig}).
 */
public final class IndexTemplates {
  private static final Logger LOG = LoggerFactory.getLogger(IndexTemplates.class);

  public static final String EVENTS_INDEX = "strata-events-v1";
  public static final String DEAD_LETTERS_INDEX = "strata-deadletters-v1";
  public static final String ARTIFACTS_INDEX = "strata-artifacts-v1";
  public static final String BINDINGS_INDEX = "strata-bindings-v1";
  public static final String INCIDENTS_INDEX = "strata-incidents-v1";
  public static final String TIMELINE_INDEX = "strata-timeline-v1";

  public static final String EVENTS_TEMPLATE = "strata-events";
  public static final String DEAD_LETTERS_TEMPLATE = "strata-deadletters";
  public static final String ARTIFACTS_TEMPLATE = "strata-artifacts";
  public static final String BINDINGS_TEMPLATE = "strata-bindings";
  public static final String INCIDENTS_TEMPLATE = "strata-incidents";
  public static final String TIMELINE_TEMPLATE = "strata-timeline";
  public static final List<String> TEMPLATES =
      List.of(EVENTS_TEMPLATE, DEAD_LETTERS_TEMPLATE, ARTIFACTS_TEMPLATE, BINDINGS_TEMPLATE, INCIDENTS_TEMPLATE,
          TIMELINE_TEMPLATE);

  private final int shards;
  private final int replicas;
  private final String refreshInterval;
  private volatile boolean flatObjectSupported = true;
  private volatile boolean matchOnlyTextSupported = true;

  public IndexTemplates(int shards, int replicas, String refreshInterval) {
    this.shards = shards;
    this.replicas = replicas;
    this.refreshInterval = refreshInterval;
  }

  public static IndexTemplates of(OpenSearchSinkConfig config) {
    return new IndexTemplates(config.shards(), config.replicas(), config.refreshInterval());
  }

  public static IndexTemplates defaults() {
    return new IndexTemplates(1, 0, "1s");
  }

  /** The body of {@code PUT _index_template/<name>}, with this instance's settings. */
  public ObjectNode template(String name) {
    if (!TEMPLATES.contains(name)) {
      throw new IllegalArgumentException("unknown template " + name + ", known: " + TEMPLATES);
    }
    ObjectNode t;
    try (InputStream in = IndexTemplates.class.getResourceAsStream(name + ".json")) {
      t = (ObjectNode) Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ObjectNode index = (ObjectNode) t.path("template").path("settings").path("index");
    index.put("number_of_shards", shards);
    index.put("number_of_replicas", replicas);
    index.put("refresh_interval", refreshInterval);
    if (!flatObjectSupported) {
      replaceFlatObject(t.path("template").path("mappings"));
    }
    if (!matchOnlyTextSupported) {
      replaceMatchOnlyText(t.path("template").path("mappings"));
    }
    return t;
  }

  /** The mappings of a template. */
  public ObjectNode mappings(String name) {
    return (ObjectNode) template(name).path("template").path("mappings");
  }

  /** The template whose pattern matches an index name ({@code strata-events-v1} -> {@code strata-events}). */
  public static String templateFor(String index) {
    for (String t : TEMPLATES) {
      if (index.startsWith(t + "-")) {
        return t;
      }
    }
    throw new IllegalArgumentException("no strata template matches index " + index);
  }

  /** Installs (or updates) the templates. */
  public void install(OpenSearchGenericClient client) throws IOException {
    for (String name : TEMPLATES) {
      put(client, "/_index_template/" + name, template(name), name);
    }
  }

  /**
   * Creates the indices that do not exist yet (they take their mappings from the templates, which must be
   * installed first).
   */
  public void createIndices(OpenSearchGenericClient client, String... indices) throws IOException {
    for (String index : indices) {
      templateFor(index);
      try (Response r = client.execute(Requests.create("PUT", "/" + index, List.of(), Map.of(), null))) {
        String body = body(r);
        if (r.getStatus() == 400 && body.contains("resource_already_exists_exception")) {
          addNewFields(client, index);
          continue;
        }
        check(r.getStatus(), body, "create index " + index);
        LOG.info("created index {}", index);
      }
    }
  }

  /**
   * Adds the fields a newer schema mapped to an index created before (a template applies at creation only, and the
   * strict mappings would refuse documents carrying them: e.g. {@code ecs} since schema 6). Only additions are
   * possible; an index whose mapping differs otherwise keeps it (warned).
   */
  private void addNewFields(OpenSearchGenericClient client, String index) throws IOException {
    JsonNode current;
    try (Response r = client.execute(Requests.create("GET", "/" + index + "/_mapping", List.of(), Map.of(), null))) {
      String text = body(r);
      check(r.getStatus(), text, "read the mapping of index " + index);
      current = Json.MAPPER.readTree(text).path(index).path("mappings").path("properties");
    }
    ObjectNode missing = missingProperties(mappings(templateFor(index)).path("properties"), current);
    if (missing.isEmpty()) return;
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("properties", missing);
    try (Response r = client.execute(Requests.create("PUT", "/" + index + "/_mapping", List.of(), Map.of(),
        Body.from(Json.MAPPER.writeValueAsBytes(body), "application/json")))) {
      String text = body(r);
      if (r.getStatus() >= 300) LOG.warn("index {} keeps its mapping ({}): {}", index, r.getStatus(), text);
    }
  }

  /** Connects, installs the templates and creates the config's three indices. */
  public static void installAndCreate(OpenSearchSinkConfig config) throws IOException {
    try (OpenSearchConnection c = OpenSearchConnection.open(config)) {
      IndexTemplates t = of(config);
      t.install(c.generic());
      t.createIndices(c.generic(), config.eventsIndex(), config.deadLettersIndex(), config.artifactsIndex());
    }
  }

  private void put(OpenSearchGenericClient client, String path, ObjectNode body, String name) throws IOException {
    try (Response r = client.execute(Requests.create("PUT", path, List.of(), Map.of(),
        Body.from(Json.MAPPER.writeValueAsBytes(body), "application/json")))) {
      String text = body(r);
      if (r.getStatus() == 400 && text.contains("flat_object") && flatObjectSupported) {
        // OpenSearch < 2.7: no flat_object; store those maps unindexed instead
        LOG.warn("this OpenSearch has no flat_object type: unmapped and log.attrs are stored, not indexed");
        flatObjectSupported = false;
        put(client, path, template(name), name);
        return;
      }
      if (r.getStatus() == 400 && text.contains("match_only_text") && matchOnlyTextSupported) {
        // OpenSearch < 2.12: no match_only_text; plain text instead (positions and frequencies indexed)
        LOG.warn("this OpenSearch has no match_only_text type: message and raw_data are mapped as text");
        matchOnlyTextSupported = false;
        put(client, path, template(name), name);
        return;
      }
      check(r.getStatus(), text, "install index template " + name);
      LOG.info("installed index template {}", name);
    }
  }

  /**
   * The properties of {@code wanted} that {@code current} (an index's mapped properties) lacks, objects descended
   * into: what a newer template adds. A field mapped otherwise in the index (a type this build changed, e.g. {@code
   * message} from {@code text} to {@code match_only_text}) is left as the index has it, so it does not stop the
   * additions.
   */
  static ObjectNode missingProperties(JsonNode wanted, JsonNode current) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = wanted.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode have = current.path(e.getKey());
      if (have.isMissingNode()) {
        out.set(e.getKey(), e.getValue());
      } else if (e.getValue().has("properties") && have.has("properties")) {
        ObjectNode inner = missingProperties(e.getValue().path("properties"), have.path("properties"));
        if (!inner.isEmpty()) {
          ObjectNode o = ((ObjectNode) e.getValue()).deepCopy();
          o.set("properties", inner);
          out.set(e.getKey(), o);
        }
      }
    }
    return out;
  }

  private static void replaceMatchOnlyText(JsonNode node) {
    if (!node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      JsonNode v = it.next().getValue();
      if (v.isObject() && "match_only_text".equals(v.path("type").asText())) {
        ((ObjectNode) v).put("type", "text");
      } else {
        replaceMatchOnlyText(v);
      }
    }
  }

  private static void replaceFlatObject(JsonNode node) {
    if (!node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isObject() && "flat_object".equals(v.path("type").asText())) {
        ObjectNode o = (ObjectNode) v;
        o.removeAll();
        o.put("type", "object");
        o.put("enabled", false);
      } else {
        replaceFlatObject(v);
      }
    }
  }

  private static String body(Response r) {
    return r.getBody().map(b -> new String(b.bodyAsBytes(), StandardCharsets.UTF_8)).orElse("");
  }

  private static void check(int status, String body, String what) {
    if (status >= 200 && status < 300) {
      return;
    }
    FailureClass c = status == 400 ? FailureClass.FATAL : OpenSearchFailureClassifier.classifyResponse(status);
    throw new SinkException(c, what + ": HTTP " + status + ": " + body.substring(0, Math.min(body.length(), 2000)));
  }
}
