package dev.strata.sink.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.StackEndpoints;
import dev.strata.infra.testing.SharedStack;
import dev.strata.schema.event.Endpoint;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.testing.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/** Against the shared stack's OpenSearch, with a 2-slot Flink MiniCluster. Each test uses its own indices. */
@ExtendWith(SharedStack.class)
class OpenSearchSinkIT {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1)
      .setNumberSlotsPerTaskManager(2)
      .setConfiguration(smallFlink())
      .build());

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Source and sink are chained: the events are never serialized between them (no flink-avro needed). */
  static final TypeInformation<EvidenceEvent> EVENT_TYPE = new GenericTypeInfo<>(EvidenceEvent.class);
  private OpenSearchSinkConfig config;
  private OpenSearchConnection connection;

  private static Configuration smallFlink() {
    Configuration c = new Configuration();
    c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("32m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("16m"));
    c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("16m"));
    return c;
  }

  @BeforeEach
  void setUp(StackEndpoints stack) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    config = OpenSearchSinkConfig.builder()
        .urls(stack.openSearchUrl())
        .eventsIndex("strata-events-it-" + run)
        .deadLettersIndex("strata-deadletters-it-" + run)
        .artifactsIndex("strata-artifacts-it-" + run)
        .maxBatchSize(500)
        .build();
    connection = OpenSearchConnection.open(config);
    IndexTemplates.of(config).install(connection.generic());
  }

  @AfterEach
  void tearDown() throws Exception {
    call("DELETE", "/" + config.eventsIndex() + "," + config.deadLettersIndex() + "," + config.artifactsIndex()
        + "?ignore_unavailable=true", null);
    connection.close();
  }

  @Test
  void templatesAreInstalledWithTheDeclaredMappings() throws Exception {
    IndexTemplates declared = IndexTemplates.of(config);
    for (String name : IndexTemplates.TEMPLATES) {
      JsonNode got = call("GET", "/_index_template/" + name, null).at("/index_templates/0/index_template");
      assertThat(normalize(got.at("/template/mappings"))).as(name)
          .isEqualTo(normalize(declared.mappings(name)));
      assertThat(got.at("/index_patterns/0").asText()).isEqualTo(name + "-*");
    }
    declared.createIndices(connection.generic(), config.eventsIndex(), config.deadLettersIndex(),
        config.artifactsIndex());
    declared.createIndices(connection.generic(), config.eventsIndex()); // idempotent
    for (String index : List.of(config.eventsIndex(), config.deadLettersIndex(), config.artifactsIndex())) {
      JsonNode got = call("GET", "/" + index + "/_mapping", null).at("/" + index + "/mappings");
      assertThat(normalize(got)).as(index)
          .isEqualTo(normalize(declared.mappings(IndexTemplates.templateFor(index))));
      JsonNode settings = call("GET", "/" + index + "/_settings", null).at("/" + index + "/settings/index");
      assertThat(settings.get("number_of_shards").asText()).isEqualTo("1");
      assertThat(settings.get("number_of_replicas").asText()).isEqualTo("0");
      assertThat(settings.get("refresh_interval").asText()).isEqualTo("1s");
    }
  }

  @Test
  void aBulkLoadRefreshesAtItsOwnIntervalAndLeavesEverythingSearchable() throws Exception {
    IndexTemplates.of(config).createIndices(connection.generic(), config.eventsIndex(), config.deadLettersIndex());
    try (BulkLoad load = BulkLoad.start(config)) {
      for (String index : List.of(config.eventsIndex(), config.deadLettersIndex())) {
        assertThat(call("GET", "/" + index + "/_settings", null)
            .at("/" + index + "/settings/index/refresh_interval").asText()).as(index).isEqualTo("30s");
      }
      call("PUT", "/" + config.eventsIndex() + "/_doc/one", "{\"event_id\":\"one\"}");
    }
    for (String index : List.of(config.eventsIndex(), config.deadLettersIndex())) {
      assertThat(call("GET", "/" + index + "/_settings", null)
          .at("/" + index + "/settings/index/refresh_interval").asText()).as(index).isEqualTo("1s");
    }
    assertThat(call("GET", "/" + config.eventsIndex() + "/_count", null).path("count").asLong()).isEqualTo(1);
  }

  /**
   * An events index created by an older build (message and raw_data as text + keyword, a field of a newer schema
   * missing): creating the indices again adds the missing field and leaves the changed ones as they are, so the
   * index takes the new build's documents.
   */
  @Test
  void anIndexOfAnOlderBuildGetsTheNewFieldsAndKeepsItsOwn() throws Exception {
    ObjectNode mappings = IndexTemplates.of(config).mappings(IndexTemplates.EVENTS_TEMPLATE).deepCopy();
    ObjectNode props = (ObjectNode) mappings.path("properties");
    for (String f : List.of("message", "raw_data")) {
      props.set(f, new ObjectMapper().readTree(
          "{\"type\":\"text\",\"fields\":{\"keyword\":{\"type\":\"keyword\",\"ignore_above\":2048}}}"));
    }
    props.remove("ecs");
    // created while no events template is installed, so the older mapping is what it gets
    String index = config.eventsIndex();
    call("DELETE", "/_index_template/" + IndexTemplates.EVENTS_TEMPLATE, null);
    try {
      call("PUT", "/" + index, "{\"mappings\":" + mappings + "}");
    } finally {
      IndexTemplates.of(config).install(connection.generic());
    }
    assertThat(call("GET", "/" + index + "/_mapping", null).at("/" + index + "/mappings/properties/ecs")
        .isMissingNode()).isTrue();
    IndexTemplates.of(config).createIndices(connection.generic(), index);
    JsonNode got = call("GET", "/" + index + "/_mapping", null).at("/" + index + "/mappings/properties");
    assertThat(got.at("/message/type").asText()).isEqualTo("text");
    assertThat(got.at("/message/fields/keyword/type").asText()).isEqualTo("keyword");
    assertThat(got.path("ecs").path("properties").size()).as("added")
        .isEqualTo(IndexTemplates.of(config).mappings(IndexTemplates.EVENTS_TEMPLATE).at("/properties/ecs/properties")
            .size()).isPositive();
  }

  @Test
  void mappingHandlesRealWorldValues() throws Exception {
    EvidenceEvent e = SampleEvents.cloudTrail();
    // an invalid IP (a hostname) must not break indexing: ignore_malformed
    e.setSrcEndpoint(Endpoint.newBuilder().setIp("ec2.amazonaws.com").build());
    try (BulkLoader loader = new BulkLoader(config, connection, PermanentFailureHandler.failJob())) {
      assertThat(loader.load(List.of(e), new EventDocuments(config.eventsIndex())).indexed()).isEqualTo(1);
      loader.refresh(config.eventsIndex());
      // flat_object: unmapped keys are searchable
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"term\":{\"unmapped.tlsDetails.tlsVersion\":"
          + "\"\\\"TLSv1.3\\\"\"}}}")).isEqualTo(1);
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"match\":{\"message\":\"getobject\"}}}")).isEqualTo(1);
      // match_only_text keeps no positions, yet phrases match (checked against the source)
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"match_phrase\":{\"message\":\"" + e.getMessage()
          .split(" ")[0] + "\"}}}")).isEqualTo(1);
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"query_string\":{\"query\":\"raw_data:\\\"eventName\\\"\"}}}"))
          .isEqualTo(1);
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"range\":{\"time\":{\"gte\":"
          + "\"2024-05-01T12:34:56.123456Z\",\"lte\":\"2024-05-01T12:34:56.123456Z\"}}}}")).isEqualTo(1);
      assertThat(hits(config.eventsIndex(), "{\"query\":{\"term\":{\"actor.groups\":\"admins\"}}}")).isEqualTo(1);
    }
  }

  @Test
  void flinkJobWritesEachEventOnceEvenWhenRunTwice() throws Exception {
    for (int run = 0; run < 2; run++) {
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      env.enableCheckpointing(200);
      env.fromSource(new DataGeneratorSource<>(OpenSearchSinkIT::eventWithOddIps, 10_000,
              EVENT_TYPE), WatermarkStrategy.noWatermarks(), "events")
          .sinkTo(OpenSearchSink.forEvents(config)).name("opensearch");
      env.execute("sink-it-" + run);
    }
    refresh();
    assertThat(count(config.eventsIndex())).isEqualTo(10_000);
    assertThat(exists(config.deadLettersIndex()) ? count(config.deadLettersIndex()) : 0).isZero();
    // ids are the event ids
    String id = SampleEvents.event(1234).getEventId();
    assertThat(call("GET", "/" + config.eventsIndex() + "/_doc/" + id, null).path("found").asBoolean()).isTrue();
  }

  @Test
  void malformedDocumentsBecomeSinkDeadLetters() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.fromSource(new DataGeneratorSource<>(SampleEvents::event, 1_000, EVENT_TYPE),
            WatermarkStrategy.noWatermarks(), "events")
        .sinkTo(OpenSearchSink.<EvidenceEvent>builder().config(config)
            .mapper(new CorruptingMapper(config.eventsIndex())).build());
    env.execute("sink-dead-letters");
    refresh();
    assertThat(count(config.eventsIndex())).isEqualTo(998);
    assertThat(count(config.deadLettersIndex())).isEqualTo(2);
    JsonNode hits = call("POST", "/" + config.deadLettersIndex() + "/_search",
        "{\"sort\":[{\"exception_class\":\"asc\"}]}").at("/hits/hits");
    List<JsonNode> docs = new ArrayList<>();
    hits.forEach(h -> docs.add(h.get("_source")));
    assertThat(docs).extracting(d -> d.get("exception_class").asText())
        .containsExactly("mapper_parsing_exception", "strict_dynamic_mapping_exception");
    for (JsonNode d : docs) {
      assertThat(d.get("stage").asText()).isEqualTo("SINK");
      assertThat(d.get("reason").asText()).isEqualTo("sink_rejected");
      assertThat(d.get("artifact_sha256").asText()).isEqualTo(SampleEvents.ARTIFACT);
      assertThat(d.get("source_type").asText()).isEqualTo("docker_json_log");
      assertThat(d.get("original_text").asText()).contains("\"event_id\"");
    }
    assertThat(docs.get(0).get("original_text").asText()).contains(SampleEvents.event(43).getEventId());
    assertThat(docs.get(1).get("original_text").asText()).contains(SampleEvents.event(42).getEventId());
  }

  /** Every 1000th event has a hostname where an IP belongs (must still index). */
  static EvidenceEvent eventWithOddIps(Long i) {
    EvidenceEvent e = SampleEvents.event(i);
    if (i % 1000 == 0) {
      e.setSrcEndpoint(Endpoint.newBuilder().setIp("ec2.amazonaws.com").build());
    }
    return e;
  }

  /** Event 42 gets a field the strict mapping does not know, event 43 a string where an integer belongs. */
  static final class CorruptingMapper implements DocumentMapper<EvidenceEvent> {
    private final EventDocuments events;

    CorruptingMapper(String index) {
      this.events = new EventDocuments(index);
    }

    @Override
    public String index(EvidenceEvent e) {
      return events.index(e);
    }

    @Override
    public String id(EvidenceEvent e) {
      return events.id(e);
    }

    @Override
    public byte[] source(EvidenceEvent e) {
      String json = new String(events.source(e), StandardCharsets.UTF_8);
      if (e.getEventId().equals(SampleEvents.event(42).getEventId())) {
        json = json.replaceFirst("^\\{", "{\"bogus_field\":1,");
      } else if (e.getEventId().equals(SampleEvents.event(43).getEventId())) {
        json = json.replace("\"class_uid\":0", "\"class_uid\":\"not-a-number\"");
      }
      return json.getBytes(StandardCharsets.UTF_8);
    }
  }

  private void refresh() throws Exception {
    call("POST", "/" + config.eventsIndex() + "," + config.deadLettersIndex()
        + "/_refresh?ignore_unavailable=true", null);
  }

  private long count(String index) throws Exception {
    return call("GET", "/" + index + "/_count", null).path("count").asLong();
  }

  private boolean exists(String index) throws Exception {
    try (Response r = connection.generic().execute(Requests.create("HEAD", "/" + index, List.of(), Map.of(),
        null))) {
      return r.getStatus() == 200;
    }
  }

  private long hits(String index, String query) throws Exception {
    return call("POST", "/" + index + "/_search", query).at("/hits/total/value").asLong();
  }

  private JsonNode call(String method, String path, String body) throws Exception {
    String p = path;
    Map<String, String> params = Map.of();
    int q = path.indexOf('?');
    if (q >= 0) {
      p = path.substring(0, q);
      String[] kv = path.substring(q + 1).split("=");
      params = Map.of(kv[0], kv[1]);
    }
    try (Response r = connection.generic().execute(Requests.create(method, p, List.of(), params,
        body == null ? null : Body.from(body.getBytes(StandardCharsets.UTF_8), "application/json")))) {
      String text = r.getBody().map(b -> new String(b.bodyAsBytes(), StandardCharsets.UTF_8)).orElse("{}");
      assertThat(r.getStatus()).as(method + " " + path + ": " + text).isLessThan(300);
      return JSON.readTree(text);
    }
  }

  /** Scalars as text (OpenSearch answers {@code "dynamic": "false"} for {@code false}), objects recursively. */
  static JsonNode normalize(JsonNode n) {
    if (n.isObject()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        o.set(e.getKey(), normalize(e.getValue()));
      }
      return o;
    }
    if (n.isArray()) {
      var a = JsonNodeFactory.instance.arrayNode();
      n.forEach(x -> a.add(normalize(x)));
      return a;
    }
    return JsonNodeFactory.instance.textNode(n.asText());
  }
}
