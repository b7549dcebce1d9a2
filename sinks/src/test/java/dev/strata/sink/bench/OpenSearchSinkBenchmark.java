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
 * OpenSearchSinkBenchmark &lt;opensearch-url | embedded&gt; [events=50000] [pairs=8] [parallelism=1] [in_flight=2]
 * </pre>
 *
 * Baseline: {@link BulkLoader}, one thread generating and mapping the events, 2 {@code _bulk} requests in flight.
 * Sink: {@link OpenSearchSink} in a Flink job on an already running 2-slot MiniCluster (a generator source chained
 * to the sink), by default p=1 x 2 requests in flight, i.e. the same client-side concurrency and the same single
 * generating thread as the baseline. Each run writes N synthetic events (the same ones) to a fresh index (refresh
 * off, 1 shard, 0 replicas) in batches of 2000 docs / 5 MiB; its wall time ends when the last request is
 * acknowledged (the sink's includes submitting and finishing the Flink job; the count is checked after a refresh).
 * The job runs with object reuse on: otherwise Flink deep-copies each event between the chained source and sink,
 * which measures the job's type serializer rather than the sink.
 * Shared machines are noisy, so runs come in adjacent pairs, alternating which goes first (the order effect cancels
 * in the geometric mean), and the figure is the geometric mean of the per-pair ratios sink / baseline.
 */
public final class OpenSearchSinkBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeInformation<EvidenceEvent> EVENT_TYPE = new GenericTypeInfo<>(EvidenceEvent.class);

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: OpenSearchSinkBenchmark <opensearch-url | embedded> [events=50000] [pairs=8]"
          + " [parallelism=1] [in_flight=2]");
      System.exit(2);
    }
    long n = args.length > 1 ? Long.parseLong(args[1]) : 50_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int parallelism = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    int inFlight = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    EmbeddedStack stack = null;
    String url = args[0];
    if (url.equals("embedded")) {
      Path dir = Files.createTempDirectory("strata-bench");
      stack = EmbeddedStack.builder().dataDir(dir).components(StackComponent.OPENSEARCH).start();
      url = stack.endpoints().openSearchUrl();
    }
    try {
      run(url, n, rounds, parallelism, inFlight);
    } finally {
      if (stack != null) {
        stack.close();
      }
    }
    System.exit(0);
  }

  private static void run(String url, long n, int pairs, int parallelism, int inFlight) throws Exception {
    OpenSearchSinkConfig base = OpenSearchSinkConfig.builder().urls(url).maxBatchSize(2000)
        .maxBatchBytes(5L << 20).build();
    Configuration flinkConf = new Configuration();
    flinkConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("32m"));
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(flinkConf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
    cluster.start();
    try (OpenSearchConnection os = OpenSearchConnection.open(base)) {
      IndexTemplates.of(base).install(os.generic());
      System.out.printf(Locale.ROOT, "OpenSearch %s, %d events/run, %d pairs, sink p=%d x %d in flight, %d cores,"
              + " max heap %d MiB%n", url, n, pairs, parallelism, inFlight,
          Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
      // warm-up: JIT, connection pools, OpenSearch caches
      bulkLoader(os, base, "warm", n);
      sink(os, base, cluster, "warm", n, parallelism, inFlight);
      // the fixed cost of a Flink job (submit, deploy, finish) is part of the sink's wall time below
      sink(os, base, cluster, "tiny", 10, parallelism, inFlight);

      List<Double> loader = new ArrayList<>();
      List<Double> sink = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int r = 0; r < pairs; r++) {
        double b;
        double s;
        if (r % 2 == 0) {
          b = bulkLoader(os, base, "base-" + r, n);
          s = sink(os, base, cluster, "sink-" + r, n, parallelism, inFlight);
        } else {
          s = sink(os, base, cluster, "sink-" + r, n, parallelism, inFlight);
          b = bulkLoader(os, base, "base-" + r, n);
        }
        loader.add(b);
        sink.add(s);
        ratios.add(s / b);
        System.out.printf(Locale.ROOT, "  pair %d: ratio %.2f%n", r, s / b);
      }
      System.out.printf(Locale.ROOT, "%nRESULT (%d pairs)%n", pairs);
      System.out.printf(Locale.ROOT, "  bulk loader, 2 in flight:         median %,8.0f docs/s (min %,.0f, max %,.0f)%n",
          median(loader), min(loader), max(loader));
      System.out.printf(Locale.ROOT, "  OpenSearchSink p=%d x %d in flight: median %,8.0f docs/s (min %,.0f, max %,.0f)%n",
          parallelism, inFlight, median(sink), min(sink), max(sink));
      double geo = Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(0));
      System.out.printf(Locale.ROOT, "  sink / loader: geometric mean of pair ratios %.2f (median %.2f, min %.2f,"
          + " max %.2f); target >= 0.90%n", geo, median(ratios), min(ratios), max(ratios));
    } finally {
      cluster.close();
    }
  }

  private static double min(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  private static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
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
    // without object reuse Flink copies every record between chained operators (here a Kryo deep copy of each
    // EvidenceEvent: generic type, no flink-avro), a cost of the job's type setup, not of the sink
    env.getConfig().enableObjectReuse();
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
