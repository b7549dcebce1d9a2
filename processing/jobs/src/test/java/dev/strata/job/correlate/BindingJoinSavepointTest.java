package dev.strata.job.correlate;

import static dev.strata.correlate.CorrelationScenario.ACCOUNT_PROD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.ContainerEnds;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.DockerSocketClients;
import dev.strata.correlate.ImdsCredentials;
import dev.strata.correlate.SandboxPods;
import dev.strata.correlate.SessionPods;
import dev.strata.job.CorrelateJob;
import dev.strata.schema.AvroCodec;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.Device;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.event.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A savepoint of the binding joins restores into this build and decides as before: the snapshots under {@code
 * src/test/resources/savepoints/binding-joins} were written by the operators as main had them before they shared the
 * {@code BindingJoin} base (commit "correlate: pin the binding joins' savepoint form"), each after half of its input
 * (bounded retention, and unbounded as in bounded runs); {@code <case>.expected} holds what those operators did after
 * the restore with the other half and a watermark moving minute by minute to the end: every record they emitted (with
 * its timestamp), every watermark, and the keyed state entries and event-time timers whenever they changed. The
 * operators of this build, restored from the same bytes, must do exactly that: same state names and serializers (a
 * restore with another one fails), same state forms, same timers, same decisions in the same order. The inputs are
 * frozen beside them ({@code <join>.input}, what the extractor gave from the fixtures then), so that only the joins
 * are under test.
 *
 * <p>To write them anew (only when a state change is meant, with its upgrade note): {@code
 * -Dstrata.savepoints.write=all -Dtest=BindingJoinSavepointTest#write}. A change of the records' text alone (a field
 * added to {@code EntityBinding}, with its schema version registered) keeps the snapshots and rewrites what follows
 * them: {@code -Dstrata.savepoints.write=expected}; the diff of the {@code .expected} files then shows only the text.
 */
class BindingJoinSavepointTest {
  static final long RETENTION_MS = Duration.ofMinutes(20).toMillis();
  static final long CLOSED_TTL_MS = Duration.ofMinutes(60).toMillis();
  static final Path DIR = Path.of("src/test/resources/savepoints/binding-joins");
  static final long MINUTE_MS = 60_000L;

  /** One operator on one input: how it is built and keyed, and what it reads (in arrival order). */
  record Case(String join, String mode, long retentionMs, Function<Long, Driver> driver, List<Timed> input) {
    String name() {
      return join + mode;
    }

    @Override
    public String toString() {
      return name();
    }
  }

  /** An element with its record timestamp: an {@link EvidenceEvent} goes to input 1 of a two-input join. */
  record Timed(Object value, long ts) {}

  /** A harness, whatever its number of inputs. */
  abstract static class Driver implements AutoCloseable {
    final AbstractStreamOperatorTestHarness<EntityBinding> harness;

    Driver(AbstractStreamOperatorTestHarness<EntityBinding> harness) throws Exception {
      this.harness = harness;
      harness.setup(CorrelateJob.BINDING.createSerializer(new SerializerConfigImpl()));
    }

    abstract void element(Timed t) throws Exception;

    abstract void watermark(long ts) throws Exception;

    abstract int stateEntries();

    @Override
    public void close() throws Exception {
      harness.close();
    }
  }

  static Driver oneInput(KeyedProcessFunction<String, EntityBinding, EntityBinding> f,
      KeySelector<EntityBinding, String> key) throws Exception {
    var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(f), key, Types.STRING);
    return new Driver(h) {
      void element(Timed t) throws Exception {
        h.processElement(new StreamRecord<>((EntityBinding) t.value(), t.ts()));
      }

      void watermark(long ts) throws Exception {
        h.processWatermark(new Watermark(ts));
      }

      int stateEntries() {
        return h.numKeyedStateEntries();
      }
    };
  }

  /** The container (or sandbox) a statement names for a container-end join (serializable: the key selector's). */
  interface Subject extends Function<EntityBinding, String>, java.io.Serializable {}

  static Driver twoInputs(KeyedCoProcessFunction<String, EvidenceEvent, EntityBinding, EntityBinding> f,
      Subject subject) throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(new KeyedCoProcessOperator<>(f),
        (EvidenceEvent e) -> ContainerEnds.key(BindingExtractor.containerEnd(e)),
        (EntityBinding b) -> ContainerEnds.key(subject.apply(b)), Types.STRING);
    return new Driver(h) {
      void element(Timed t) throws Exception {
        if (t.value() instanceof EvidenceEvent e) h.processElement1(new StreamRecord<>(e, t.ts()));
        else h.processElement2(new StreamRecord<>((EntityBinding) t.value(), t.ts()));
      }

      void watermark(long ts) throws Exception {
        h.processBothWatermarks(new Watermark(ts));
      }

      int stateEntries() {
        return h.numKeyedStateEntries();
      }
    };
  }

  // ------------------------------------------------------------------------------------------------------ inputs

  static List<EvidenceEvent> byTime(List<EvidenceEvent> events) {
    List<EvidenceEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(EvidenceEvent::getTime));
    return sorted;
  }

  /** What the extract stage sends on: each event's bindings that {@code take} passes, at the event's time. */
  static List<Timed> bindings(List<EvidenceEvent> events, java.util.function.Predicate<EntityBinding> take) {
    BindingExtractor x = new BindingExtractor();
    List<Timed> out = new ArrayList<>();
    for (EvidenceEvent e : byTime(events)) {
      for (EntityBinding b : x.extract(e)) if (take.test(b)) out.add(new Timed(b, e.getTime().toEpochMilli()));
    }
    return out;
  }

  /** A container-end join's two inputs, as the graph interleaves them: an event's end, then its statements. */
  static List<Timed> endsAndBindings(List<EvidenceEvent> events, Function<EntityBinding, String> subject) {
    BindingExtractor x = new BindingExtractor();
    List<Timed> out = new ArrayList<>();
    for (EvidenceEvent e : byTime(events)) {
      long ts = e.getTime().toEpochMilli();
      if (BindingExtractor.containerEnd(e) != null) out.add(new Timed(e, ts));
      for (EntityBinding b : x.extract(e)) if (subject.apply(b) != null) out.add(new Timed(b, ts));
    }
    return out;
  }

  /** IRSA sessions, the pods of their service account (two replicas) and the sessions' calls from outside. */
  static List<EvidenceEvent> irsa() {
    List<EvidenceEvent> all = new ArrayList<>(new CorrelationScenario().prodAudit);
    all.addAll(CorrelationScenario.parse("k8s_audit", "prod-audit-irsa-replica.log", "prod", ACCOUNT_PROD));
    all.addAll(CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-irsa-vpce.json", null, ACCOUNT_PROD));
    all.addAll(new CorrelationScenario().cloudTrail);
    return all;
  }

  /** Pods' IMDS fetches (Tetragon, on the node without its instance), the node's instance, the role's calls. */
  static List<EvidenceEvent> imds() {
    List<EvidenceEvent> all = new ArrayList<>(new CorrelationScenario().prodAudit);
    all.addAll(CorrelationScenario.parse("tetragon_event", "imds-tetragon.jsonl", "prod", ACCOUNT_PROD));
    all.addAll(CorrelationScenario.parse("aws_cloudtrail", "cloudtrail-imds.json", null, ACCOUNT_PROD));
    return all;
  }

  /**
   * Falco's connections to a host's Docker socket: web at T, worker 30 s later (within the bound: both flagged),
   * web again at T + 5 min (alone) and on a second host at T + 1 min.
   */
  static List<EvidenceEvent> dockerSocket() {
    EvidenceEvent alert = new CorrelationScenario().falco.get(0);
    Instant t = Instant.parse("2026-11-20T10:30:00Z");
    return List.of(
        socketConnect(alert, "sock-1", t, "ip-10-30-1-15.ec2.internal", "aac91a707528" + "1".repeat(52)),
        socketConnect(alert, "sock-2", t.plusSeconds(30), "ip-10-30-1-15.ec2.internal", "1baffb74c0de" + "2".repeat(52)),
        socketConnect(alert, "sock-3", t.plusSeconds(60), "ip-10-30-1-16.ec2.internal", "f00dfacec0de" + "3".repeat(52)),
        socketConnect(alert, "sock-4", t.plusSeconds(300), "ip-10-30-1-15.ec2.internal", "aac91a707528" + "1".repeat(52)));
  }

  static EvidenceEvent socketConnect(EvidenceEvent alert, String id, Instant t, String host, String container) {
    EvidenceEvent e = EvidenceEvent.newBuilder(alert).setEventId(id).setTime(t).build();
    e.setDevice(Device.newBuilder().setHostname(host).build());
    e.setContainer(Container.newBuilder(e.getContainer()).setUid(container).build());
    e.setFile(File.newBuilder().setPath("/var/run/docker.sock").setName("docker.sock").build());
    return e;
  }

  /** The fetches restated on their instance, as {@code imds-fetch-instances} adds them to what the join reads. */
  static List<Timed> withFetchesOnInstance(List<Timed> stated) throws Exception {
    List<Timed> out = new ArrayList<>(stated);
    try (Driver d = oneInput(new JoinImdsFetches.FetchInstances(Long.MAX_VALUE, CLOSED_TTL_MS), ImdsCredentials::node)) {
      d.harness.open();
      for (Timed t : stated) if (ImdsCredentials.node((EntityBinding) t.value()) != null) d.element(t);
      for (Object o : d.harness.getOutput()) {
        if (o instanceof StreamRecord<?> r) out.add(new Timed(r.getValue(), r.getTimestamp()));
      }
    }
    return out;
  }

  static List<Case> cases() throws Exception {
    List<Case> cases = new ArrayList<>();
    List<Timed> sessions = input(JoinSessionPods.UID, () -> bindings(irsa(), b -> SessionPods.serviceAccount(b) != null));
    List<Timed> connects =
        input(JoinDockerSocketClients.UID, () -> bindings(dockerSocket(), b -> DockerSocketClients.daemon(b) != null));
    List<Timed> nodes = input(JoinImdsFetches.UID_ON_INSTANCE, () -> bindings(imds(), b -> true).stream()
        .filter(t -> ImdsCredentials.node((EntityBinding) t.value()) != null).toList());
    List<Timed> instances = input(JoinImdsFetches.UID, () -> withFetchesOnInstance(bindings(imds(), b -> true))
        .stream().filter(t -> JoinImdsFetches.member((EntityBinding) t.value())).toList());
    List<Timed> sandboxes = input(JoinSandboxPods.UID, () -> endsAndBindings(
        CorrelationScenario.parse("containerd_daemon_log", "node-containerd-journal.log", "prod", ACCOUNT_PROD),
        SandboxPods::sandbox));
    List<Timed> containers = input(CloseContainerBindings.UID, () -> {
      List<EvidenceEvent> docker = new ArrayList<>(
          CorrelationScenario.parse("docker_inspect", "node-docker-inspect.jsonl", "prod", ACCOUNT_PROD));
      docker.addAll(CorrelationScenario.parse("docker_events", "node-docker-events.jsonl", "prod", ACCOUNT_PROD));
      return endsAndBindings(docker, ContainerEnds::holder);
    });
    for (long retention : new long[] {RETENTION_MS, Long.MAX_VALUE}) {
      String mode = retention == Long.MAX_VALUE ? "-unbounded" : "-bounded";
      cases.add(new Case(JoinSessionPods.UID, mode, retention,
          r -> unchecked(() -> oneInput(new JoinSessionPods(r, CLOSED_TTL_MS), SessionPods::serviceAccount)),
          sessions));
      cases.add(new Case(JoinDockerSocketClients.UID, mode, retention,
          r -> unchecked(() -> oneInput(new JoinDockerSocketClients(r, CLOSED_TTL_MS), DockerSocketClients::daemon)),
          connects));
      cases.add(new Case(JoinImdsFetches.UID_ON_INSTANCE, mode, retention,
          r -> unchecked(() -> oneInput(new JoinImdsFetches.FetchInstances(r, CLOSED_TTL_MS), ImdsCredentials::node)),
          nodes));
      cases.add(new Case(JoinImdsFetches.UID, mode, retention,
          r -> unchecked(() -> oneInput(new JoinImdsFetches(r, CLOSED_TTL_MS), ImdsCredentials::instance)),
          instances));
      cases.add(new Case(JoinSandboxPods.UID, mode, retention,
          r -> unchecked(() -> twoInputs(new JoinSandboxPods(r, CLOSED_TTL_MS), SandboxPods::sandbox)), sandboxes));
      cases.add(new Case(CloseContainerBindings.UID, mode, retention,
          r -> unchecked(() -> twoInputs(new CloseContainerBindings(r, CLOSED_TTL_MS), ContainerEnds::holder)),
          containers));
    }
    return cases;
  }

  // ------------------------------------------------------------------------------------------ the frozen inputs

  static final AvroCodec<EvidenceEvent> EVENTS = AvroCodec.of(EvidenceEvent.class);
  static final AvroCodec<EntityBinding> BINDINGS = AvroCodec.of(EntityBinding.class);

  static Path inputFile(String join) {
    return DIR.resolve(join + ".input");
  }

  /**
   * A join's input as it was when its snapshots were written ({@code <join>.input}: a line per element, {@code E} an
   * event or {@code B} a statement, its timestamp, its Avro bytes in base64), so that a later change of the extractor
   * or of the fixtures does not move it; from the fixtures when there is none yet ({@link #write}).
   */
  static List<Timed> input(String join, ThrowingSupplier<List<Timed>> fromFixtures) throws Exception {
    Path f = inputFile(join);
    if (!Files.exists(f)) return fromFixtures.get();
    List<Timed> in = new ArrayList<>();
    for (String line : Files.readAllLines(f)) {
      String[] p = line.split(" ", 3);
      byte[] bytes = Base64.getDecoder().decode(p[2]);
      in.add(new Timed(p[0].equals("E") ? EVENTS.decode(bytes) : BINDINGS.decode(bytes), Long.parseLong(p[1])));
    }
    return in;
  }

  static void writeInput(Path f, List<Timed> in) throws Exception {
    List<String> lines = new ArrayList<>();
    for (Timed t : in) {
      byte[] bytes = t.value() instanceof EvidenceEvent e ? EVENTS.encode(e) : BINDINGS.encode((EntityBinding) t.value());
      lines.add((t.value() instanceof EvidenceEvent ? "E " : "B ") + t.ts() + " " + Base64.getEncoder().encodeToString(bytes));
    }
    Files.write(f, lines);
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  static <T> T unchecked(ThrowingSupplier<T> s) {
    try {
      return s.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // -------------------------------------------------------------------------------------------------- the runs

  /** The first half of the input, then a watermark at the last of its times minus the retention (some decided). */
  static OperatorSubtaskState firstHalf(Case c) throws Exception {
    try (Driver d = c.driver().apply(c.retentionMs())) {
      d.harness.open();
      List<Timed> first = c.input().subList(0, c.input().size() / 2);
      for (Timed t : first) d.element(t);
      d.watermark(preSnapshotWatermark(c));
      return d.harness.snapshot(1L, 1L);
    }
  }

  static long preSnapshotWatermark(Case c) {
    long last = c.input().get(c.input().size() / 2 - 1).ts();
    return last - RETENTION_MS;
  }

  /** Restored from {@code state}: the second half, then the watermark minute by minute; what it did, line by line. */
  static List<String> secondHalf(Case c, OperatorSubtaskState state) throws Exception {
    List<String> lines = new ArrayList<>();
    try (Driver d = c.driver().apply(c.retentionMs())) {
      d.harness.initializeState(state);
      d.harness.open();
      lines.add("restored: state " + d.stateEntries() + " timers " + d.harness.numEventTimeTimers());
      for (Timed t : c.input().subList(c.input().size() / 2, c.input().size())) d.element(t);
      String seen = "";
      for (long w : watermarks(c)) {
        d.watermark(w);
        for (Object o; (o = d.harness.getOutput().poll()) != null; ) {
          if (o instanceof StreamRecord<?> r) lines.add("record " + r.getTimestamp() + " " + r.getValue());
          else if (o instanceof Watermark m) lines.add("watermark " + m.getTimestamp());
        }
        String now = "state " + d.stateEntries() + " timers " + d.harness.numEventTimeTimers();
        if (!now.equals(seen)) lines.add(now);
        seen = now;
      }
    }
    return lines;
  }

  /** Each minute from the snapshot's watermark to 6 h after the last input, then days up to 32, then the end. */
  static List<Long> watermarks(Case c) {
    long from = preSnapshotWatermark(c) / MINUTE_MS * MINUTE_MS + MINUTE_MS;
    long last = c.input().stream().mapToLong(Timed::ts).max().orElseThrow();
    TreeSet<Long> w = new TreeSet<>();
    for (long t = from; t <= last + Duration.ofHours(6).toMillis(); t += MINUTE_MS) w.add(t);
    for (int day = 1; day <= 32; day++) w.add(last + Duration.ofDays(day).toMillis());
    w.add(Long.MAX_VALUE);
    return new ArrayList<>(w);
  }

  static Path snapshotFile(Case c) {
    return DIR.resolve(c.name() + ".snapshot");
  }

  static Path expectedFile(Case c) {
    return DIR.resolve(c.name() + ".expected");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void mainsSavepointRestoresIntoThisBuildAndDecidesTheSame(Case c) throws Exception {
    OperatorSubtaskState saved = OperatorSnapshotUtil.readStateHandle(snapshotFile(c).toString());
    List<String> expected = Files.readAllLines(expectedFile(c));
    assertThat(expected).as("main's run emitted decisions after the restore").anyMatch(l -> l.startsWith("record "));
    assertThat(expected.get(0)).as("main's snapshot holds state").doesNotStartWith("restored: state 0 ");
    assertThat(secondHalf(c, saved)).containsExactlyElementsOf(expected);
  }

  /**
   * Writes the inputs (when there are none: {@code all} removes them first), the snapshots ({@code all}) and what the
   * operators did after them (see the class doc).
   */
  @Test
  @EnabledIfSystemProperty(named = "strata.savepoints.write", matches = "all|expected")
  void write() throws Exception {
    Files.createDirectories(DIR);
    boolean snapshots = "all".equals(System.getProperty("strata.savepoints.write"));
    if (snapshots) {
      for (Case c : cases()) Files.deleteIfExists(inputFile(c.join()));
    }
    for (Case c : cases()) {
      if (!Files.exists(inputFile(c.join()))) writeInput(inputFile(c.join()), c.input());
      if (snapshots) OperatorSnapshotUtil.writeStateHandle(firstHalf(c), snapshotFile(c).toString());
      Files.write(expectedFile(c),
          secondHalf(c, OperatorSnapshotUtil.readStateHandle(snapshotFile(c).toString())));
    }
  }
}
