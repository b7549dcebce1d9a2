package dev.strata.cli;

import dev.strata.infra.Topics;
import dev.strata.ingest.context.ContextValues;
import dev.strata.ingest.receive.HttpEvidenceReceiver;
import dev.strata.ingest.receive.ReceiverOptions;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code strata receive}: the HTTP push receiver for Falco / Falcosidekick and Tetragon. */
@Command(
    name = "receive",
    mixinStandardHelpOptions = true,
    description = {
      "Receive pushed evidence over HTTP and publish each body, unmodified, to evidence.raw.v1.",
      "POST /v1/falco (Falco http_output, Falcosidekick webhook), POST /v1/tetragon (JSON lines or one object),",
      "GET /healthz. 202 once Kafka acknowledged; 503 when it did not (the sender retries); 401 without the",
      "bearer token (if set); 413 over the size limit; 415 unless JSON. Stops on Ctrl-C / SIGTERM.",
      "Settings: options > env STRATA_RECEIVE_<KEY> > the config file's receive: section (see cli/README.md)."
    })
final class ReceiveCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default 8470).")
  Integer port;

  @Option(names = "--bind", paramLabel = "ADDR", description = "Listen address (default 0.0.0.0).")
  String bind;

  @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest accepted body (default 4194304).")
  Integer maxBody;

  @Option(names = "--cluster", paramLabel = "NAME", description = "Cluster name stamped on the evidence.")
  String cluster;

  // the token is read from env STRATA_RECEIVE_TOKEN or the config file only: a command line is visible in ps

  @Override
  public Integer call() throws Exception {
    Map<String, String> o = new HashMap<>();
    o.put("receive.port", port == null ? null : port.toString());
    o.put("receive.bind", bind);
    o.put("receive.max_body_bytes", maxBody == null ? null : maxBody.toString());
    StrataSettings settings = services.settings(o);
    ReceiverOptions options = options(settings, cluster);
    String bootstrap = settings.requireKafka();
    Topics.ensure(bootstrap);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    HttpEvidenceReceiver receiver = HttpEvidenceReceiver.start(options, bootstrap, settings.kafkaProperties());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        closed.await(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "strata-receive-shutdown"));
    System.err.println("strata receive: listening on " + options.bind() + ":" + receiver.port()
        + (options.token() == null ? " (no token: trusted networks only)" : " (bearer token required)")
        + ", publishing to " + bootstrap);
    try {
      stop.await();
    } finally {
      receiver.close();
      System.err.println(receiver.summary());
      closed.countDown();
    }
    return 0;
  }

  static ReceiverOptions options(StrataSettings s, String cluster) {
    ReceiverOptions o = ReceiverOptions.defaults();
    if (s.component("receive.port") != null) o = o.withPort(number(s, "receive.port"));
    if (s.component("receive.bind") != null) o = o.withBind(s.component("receive.bind"));
    if (s.component("receive.max_body_bytes") != null) o = o.withMaxBodyBytes(number(s, "receive.max_body_bytes"));
    if (s.component("receive.token") != null) o = o.withToken(s.component("receive.token"));
    if (cluster != null) o = o.withContext(new ContextValues(null, cluster, null, null, null));
    return o;
  }

  private static int number(StrataSettings s, String key) {
    try {
      return Integer.parseInt(s.component(key).strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": not a number: '" + s.component(key) + "'");
    }
  }
}
