package dev.strata.sink.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.infra.EmbeddedStack;
import dev.strata.infra.StackComponent;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.sink.opensearch.BulkLoader;
import dev.strata.sink.opensearch.EventDocuments;
import dev.strata.sink.opensearch.IndexTemplates;
import dev.strata.sink.opensearch.OpenSearchConnection;
import dev.strata.sink.opensearch.OpenSearchSink;
import dev.strata.sink.opensearch.OpenSearchSinkConfig;
import dev.strata.sink.opensearch.PermanentFailureHandler;
import dev.strata.sink.testing.SampleEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;

/**
 * OpenSearch sink throughput against a bare {@code _bulk} loader, same documents, same node, same run.
 *
 * <pre>
 * OpenSearchSinkBenchmark &lt;opensearch-url | embedded&gt; [events=200000] [rounds=3]
 * </pre>
 *
 * Baseline: {@link BulkLoader} (one thread generates and maps the events, 2 {@code _bulk} requests in flight).
 * Sink: {@link OpenSearchSink} in a Flink job on a running 2-slot MiniCluster (a generator source chained to the
 * sink), as p=2 x 1 in flight and p=1 x 2 in flight, so the client-side concurrency equals the baseline's. Every
 * run writes N synthetic events to a fresh index (refresh off, 1 shard, 0 replicas), batches of 2000 docs / 5 MiB;
 * the wall time ends when the last request is acknowledged (count checked after a refresh). Rounds alternate
 * baseline and sink; the median docs/s of each is compared.
 */
public final class OpenSearchSinkBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeInformation<EvidenceEvent> EVENT_TYPE = new GenericTypeInfo<>(EvidenceEvent.class);

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: OpenSearchSinkBenchmark <opensearch-url | embedded> [events=200000] [rounds=3]");
      System.exit(2);
    }
    long n = args.length > 1 ? Long.parseLong(args[1]) : 200_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    EmbeddedStack stack = null;
    String url = args[0];
    if (url.equals("embedded")) {
      Path dir = Files.createTempDirectory("strata-bench");
      stack = EmbeddedStack.builder().dataDir(dir).components(StackComponent.OPENSEARCH).start();
      url = stack.endpoints().openSearchUrl();
    }
    try {
      run(url, n, rounds);
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
    System.exit(0);
  }

  private static void run(String url, long n, int rounds) throws Exception {
    OpenSearchSinkConfig base = OpenSearchSinkConfig.builder().urls(url).maxBatchSize(2000)
        .maxBatchBytes(5L << 20).build();
    Configuration flinkConf = new Configuration();
    flinkConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("32m"));
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(flinkConf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
    cluster.start();
    try (OpenSearchConnection os = OpenSearchConnection.open(base)) {
      IndexTemplates.of(base).install(os.generic());
      System.out.printf(Locale.ROOT, "OpenSearch %s, %d events/run, %d rounds, %d cores, max heap %d MiB%n",
          url, n, rounds, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
      // warm-up: JIT, connection pools, OpenSearch caches
      bulkLoader(os, base, "warm", Math.min(n, 50_000));
      sink(os, base, cluster, "warm", Math.min(n, 50_000), 2, 1);
      // the fixed cost of a Flink job (submit, deploy, finish) is part of the sink's wall time below
      sink(os, base, cluster, "tiny", 10, 2, 1);

      List<Double> loader = new ArrayList<>();
      List<Double> sinkP2 = new ArrayList<>();
      List<Double> sinkP1 = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        loader.add(bulkLoader(os, base, "base-" + r, n));
        sinkP2.add(sink(os, base, cluster, "p2-" + r, n, 2, 1));
        sinkP1.add(sink(os, base, cluster, "p1-" + r, n, 1, 2));
      }
      double b = median(loader);
      double s2 = median(sinkP2);
      double s1 = median(sinkP1);
      System.out.printf(Locale.ROOT, "%nRESULT (median of %d, docs/s)%n", rounds);
      System.out.printf(Locale.ROOT, "  bulk loader (2 in flight)        %,10.0f%n", b);
      System.out.printf(Locale.ROOT, "  OpenSearchSink p=2 x 1 in flight %,10.0f   ratio %.2f%n", s2, s2 / b);
      System.out.printf(Locale.ROOT, "  OpenSearchSink p=1 x 2 in flight %,10.0f   ratio %.2f%n", s1, s1 / b);
      System.out.printf(Locale.ROOT, "  target: ratio >= 0.90%n");
    } finally {
      cluster.close();
    }
  }

  private static double bulkLoader(OpenSearchConnection os, OpenSearchSinkConfig base, String tag, long n)
      throws Exception {
    String index = freshIndex(os, "strata-events-bench-" + tag);
    OpenSearchSinkConfig c = base.toBuilder().eventsIndex(index).maxInFlightRequests(2).build();
    long t0 = System.nanoTime();
    try (BulkLoader loader = new BulkLoader(c, os, PermanentFailureHandler.failJob())) {
      loader.load(() -> events(n), new EventDocuments(index));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    return report("bulk loader         ", os, index, n, secs);
  }

  private static double sink(OpenSearchConnection os, OpenSearchSinkConfig base, MiniCluster cluster, String tag,
      long n, int parallelism, int inFlight) throws Exception {
    String index = freshIndex(os, "strata-events-bench-sink-" + tag);
    OpenSearchSinkConfig c = base.toBuilder().eventsIndex(index).maxInFlightRequests(inFlight).build();
    TestStreamEnvironment env = new TestStreamEnvironment(cluster, parallelism);
    env.fromSource(new DataGeneratorSource<>(SampleEvents::event, n, EVENT_TYPE), WatermarkStrategy.noWatermarks(),
            "events")
        .sinkTo(OpenSearchSink.<EvidenceEvent>builder().config(c).mapper(new EventDocuments(index))
            .permanentFailureHandler(PermanentFailureHandler.failJob()).build());
    long t0 = System.nanoTime();
    env.execute("bench-" + tag);
    double secs = (System.nanoTime() - t0) / 1e9;
    return report("sink p=" + parallelism + " x " + inFlight + " in flight", os, index, n, secs);
  }

  private static double report(String what, OpenSearchConnection os, String index, long n, double secs)
      throws Exception {
    call(os, "POST", "/" + index + "/_refresh", null);
    long count = JSON.readTree(call(os, "GET", "/" + index + "/_count", null)).path("count").asLong();
    if (count != n) {
      throw new IllegalStateException(index + ": " + count + " docs, expected " + n);
    }
    call(os, "DELETE", "/" + index, null);
    double rate = n / secs;
    System.out.printf(Locale.ROOT, "  %-28s %,9d docs in %6.2f s = %,9.0f docs/s%n", what, n, secs, rate);
    return rate;
  }

  private static String freshIndex(OpenSearchConnection os, String name) throws Exception {
    call(os, "DELETE", "/" + name, null);
    call(os, "PUT", "/" + name, "{\"settings\":{\"index\":{\"refresh_interval\":\"-1\"}}}");
    return name;
  }

  private static Iterator<EvidenceEvent> events(long n) {
    return new Iterator<>() {
      long i;

      @Override
      public boolean hasNext() {
        return i < n;
      }

      @Override
      public EvidenceEvent next() {
        return SampleEvents.event(i++);
      }
    };
  }

  private static String call(OpenSearchConnection os, String method, String path, String body) throws Exception {
    try (Response r = os.generic().execute(Requests.create(method, path, List.of(), Map.of(),
        body == null ? null : Body.from(body.getBytes(StandardCharsets.UTF_8), "application/json")))) {
      return r.getBody().map(b -> new String(b.bodyAsBytes(), StandardCharsets.UTF_8)).orElse("");
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int m = s.size() / 2;
    return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
  }
}
