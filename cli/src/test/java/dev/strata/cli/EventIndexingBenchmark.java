package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackComponent;
import dev.strata.infra.testing.ProcessCpu;
import dev.strata.ingest.CollectorOptions;
import dev.strata.ingest.EvidencePreserver;
import dev.strata.ingest.FileCollector;
import dev.strata.ingest.ProgressListener;
import dev.strata.ingest.publish.ChunkPublisher;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.BulkLoader;
import dev.strata.sink.opensearch.EventDocuments;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What OpenSearch spends to index the pipeline's events, per event, by index mapping: the 1 GB bundle of
 * PERFORMANCE.md is 80 % container log lines, and session 11 found the node's CPU the largest part of the parse job's
 * (≈355 µs per docker log event). The events of a generated bundle (the {@code bench/run large} generators: CloudTrail
 * and a docker json-file log) are parsed once, then bulk-loaded into a fresh index per variant and round (refresh
 * off during the load, then one refresh and a flush, as a bounded parse run does), in rotating order; the figure is
 * the OpenSearch process's CPU seconds per event (the machine is shared: CPU holds where wall time does not), the
 * ratio against the {@code template} variant of the same round, and the store size.
 *
 * <p>Variants (each the events template's mapping with one change): {@code template} (as shipped), {@code
 * raw-text} ({@code raw_data} without its {@code keyword} sub-field), {@code raw-text-msg-text} (and {@code message}
 * without its own), {@code match-only} (both {@code match_only_text}, ECS's choice for {@code message}). The node's JIT is a start option: run once with {@code -Dstrata.opensearch.jit=c1} and once with
 * {@code tiered}.
 *
 * <pre>
 * java -Xmx3g -cp "cli/target/test-classes:cli/target/classes:$(cat cli/target/bench.cp)" $OPENS \
 *   [-Dstrata.opensearch.jit=tiered] dev.strata.cli.EventIndexingBenchmark [dockerMB=40] [cloudtrailMB=10] [rounds=3]
 * </pre>
 */
public final class EventIndexingBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    long dockerMb = args.length > 0 ? Long.parseLong(args[0]) : 40;
    long ctMb = args.length > 1 ? Long.parseLong(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path work = Files.createTempDirectory("strata-index-bench");
    Path evidence = Files.createDirectories(work.resolve("evidence"));
    LargeEvidence.cloudTrail(evidence, ctMb << 20);
    LargeEvidence.dockerLog(evidence, dockerMb << 20);
    List<EvidenceEvent> events = parse(evidence);
    Map<String, Integer> byFormat = new LinkedHashMap<>();
    events.forEach(e -> byFormat.merge(e.getSourceFormat(), 1, Integer::sum));
    System.out.printf(Locale.ROOT, "%d events %s; OpenSearch JIT %s; load %s%n", events.size(), byFormat,
        System.getProperty("strata.opensearch.jit", System.getenv().getOrDefault("STRATA_OPENSEARCH_JIT", "c1")),
        load());
    Map<String, Consumer<ObjectNode>> variants = new LinkedHashMap<>();
    variants.put("template", m -> {});
    variants.put("raw-text", m -> withoutKeyword(m, "raw_data"));
    variants.put("raw-text-msg-text", m -> {
      withoutKeyword(m, "raw_data");
      withoutKeyword(m, "message");
    });
    variants.put("match-only", m -> {
      matchOnly(m, "raw_data");
      matchOnly(m, "message");
    });
    try (EmbeddedStack stack = EmbeddedStack.builder().dataDir(work.resolve("stack"))
        .components(StackComponent.OPENSEARCH).start()) {
      String url = stack.endpoints().openSearchUrl();
      ObjectNode template = (ObjectNode) templateOf();
      Map<String, List<double[]>> results = new LinkedHashMap<>();
      List<String> names = new ArrayList<>(variants.keySet());
      // round 0 warms the node (JIT, caches) and is not counted
      for (int r = 0; r <= rounds; r++) {
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((i + r) % names.size());
          ObjectNode body = template.deepCopy();
          variants.get(name).accept((ObjectNode) body.path("mappings"));
          ((ObjectNode) body.path("settings").path("index")).put("refresh_interval", "-1");
          String index = "bench-" + name + "-" + r;
          send(url, "PUT", "/" + index, JSON.writeValueAsString(body));
          ProcessCpu.Snapshot before = ProcessCpu.now();
          long t0 = System.nanoTime();
          OpenSearchSinkConfig cfg = OpenSearchSinkConfig.builder().urls(url).maxBatchSize(2000)
              .maxBatchBytes(5L << 20).build();
          try (BulkLoader loader = new BulkLoader(cfg)) {
            BulkLoader.Result res = loader.load(events, new EventDocuments(index));
            if (res.indexed() != events.size()) {
              throw new IllegalStateException(index + ": indexed " + res.indexed() + " of " + events.size());
            }
          }
          send(url, "POST", "/" + index + "/_refresh", null);
          send(url, "POST", "/" + index + "/_flush", null);
          double wall = (System.nanoTime() - t0) / 1e9;
          double osCpu = ProcessCpu.now().minus(before).seconds("opensearch");
          long store = send(url, "GET", "/" + index + "/_stats/store", null)
              .at("/_all/primaries/store/size_in_bytes").asLong();
          send(url, "DELETE", "/" + index, null);
          System.out.printf(Locale.ROOT, "  round %d %-18s OpenSearch %6.1f CPU s = %5.0f µs/event, wall %5.1f s,"
              + " store %5.1f MB%n", r, name, osCpu, osCpu * 1e6 / events.size(), wall, store / 1e6);
          if (r > 0) results.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {osCpu, store});
        }
      }
      System.out.printf(Locale.ROOT, "%nRESULT (%d rounds after a warm-up, %d events, load %s)%n", rounds,
          events.size(), load());
      double[] base = median(results.get("template"));
      for (var e : results.entrySet()) {
        double[] m = median(e.getValue());
        System.out.printf(Locale.ROOT, "  %-18s median %5.0f µs OpenSearch CPU per event (%.2fx the template's),"
            + " store %.1f MB (%.2fx)%n", e.getKey(), m[0] * 1e6 / events.size(), m[0] / base[0], m[1] / 1e6,
            m[1] / base[1]);
      }
    }
    System.exit(0);
  }

  /** The events of every file under {@code dir}, as the parse job makes them (dead letters fail the benchmark). */
  static List<EvidenceEvent> parse(Path dir) throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> out = new ArrayList<>();
    ChunkOutput sink = new ChunkOutput() {
      @Override
      public void event(EvidenceEvent event) {
        out.add(event);
      }

      @Override
      public void deadLetter(DeadLetter deadLetter) {
        throw new IllegalStateException("dead letter: " + deadLetter.getReason());
      }
    };
    FileCollector.collect(dir, CollectorOptions.defaults(), ChunkPublisher.forEach(c -> parser.parse(c, sink), m -> {}),
        EvidencePreserver.NONE, ProgressListener.NONE);
    return out;
  }

  /** The events template's {@code template} part: settings and mappings. */
  static JsonNode templateOf() throws Exception {
    try (InputStream in = IndexTemplates.class.getResourceAsStream("strata-events.json")) {
      return JSON.readTree(in).path("template");
    }
  }

  static void withoutKeyword(ObjectNode mappings, String field) {
    ((ObjectNode) mappings.path("properties").path(field)).remove("fields");
  }

  /** {@code field} as {@code match_only_text} (no positions, frequencies nor norms; phrases checked on the source). */
  static void matchOnly(ObjectNode mappings, String field) {
    ObjectNode f = (ObjectNode) mappings.path("properties").path(field);
    f.removeAll();
    f.put("type", "match_only_text");
  }

  static JsonNode send(String base, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw new IllegalStateException(method + " " + path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  static double[] median(List<double[]> xs) {
    double[] m = new double[xs.get(0).length];
    for (int i = 0; i < m.length; i++) {
      final int k = i;
      double[] v = xs.stream().mapToDouble(x -> x[k]).sorted().toArray();
      m[i] = v[v.length / 2];
    }
    return m;
  }

  static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
