package dev.strata.job;

import static dev.strata.correlate.CorrelationScenario.ROLE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.CorrelationScenario;
import dev.strata.job.correlate.RocksDbSettings;
import dev.strata.job.serde.StrataTypes;
import dev.strata.job.testing.CollectSink;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.Enrichment;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The correlation graph on a MiniCluster over the multi-source scenario ({@link CorrelationScenario}): every
 * attribution at the event's time, IP reuse, the overlapping range of another account, a late VPC Flow record, a
 * late binding, a Falco alert with only a container id; exactly one latest revision per event id.
 */
class CorrelateJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      TestMiniCluster.extension(2);

  static final CorrelationScenario S = new CorrelationScenario();
  static List<EvidenceEvent> enriched;
  static Map<String, EvidenceEvent> latest;
  static List<EntityBinding> bindings;

  @BeforeAll
  static void run() throws Exception {
    Correlated c = correlate(S.arrivalOrder(), "correlate-test");
    enriched = c.enriched();
    bindings = c.bindings();
    latest = c.latest();
  }

  /** What the correlation made of an input on a local MiniCluster (bounded, parallelism 2). */
  record Correlated(List<EvidenceEvent> enriched, List<EntityBinding> bindings) {
    /** The newest revision of each enriched event. */
    Map<String, EvidenceEvent> latest() {
      return enriched.stream().collect(Collectors.toMap(EvidenceEvent::getEventId, e -> e,
          (a, b) -> a.getEnrichment().getRevision() >= b.getEnrichment().getRevision() ? a : b));
    }
  }

  /** Runs {@link CorrelateJob#build} over {@code input} (event time, 5 min out of orderness) and collects both outputs. */
  static Correlated correlate(List<EvidenceEvent> input, String jobName) throws Exception {
    return correlate(input, jobName, CorrelateJob.StateSettings.bounded());
  }

  static Correlated correlate(List<EvidenceEvent> input, String jobName, CorrelateJob.StateSettings settings)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<EvidenceEvent> events =
        env.fromData(StrataTypes.EVIDENCE_EVENT, input.toArray(new EvidenceEvent[0]))
            .assignTimestampsAndWatermarks(ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30)));
    CorrelateJob.Outputs o = CorrelateJob.build(events, settings);
    CollectSink<EvidenceEvent> out = new CollectSink<>();
    CollectSink<EntityBinding> bs = new CollectSink<>();
    o.enriched().sinkTo(out);
    o.bindings().sinkTo(bs);
    env.execute(jobName);
    return new Correlated(out.collected().stream().map(CollectSink.Collected::value).toList(),
        bs.collected().stream().map(CollectSink.Collected::value).toList());
  }

  static Enrichment of(EvidenceEvent e) {
    EvidenceEvent l = latest.get(e.getEventId());
    assertThat(l).as("enriched " + e.getSourceFormat() + " " + e.getTime()).isNotNull();
    return l.getEnrichment();
  }

  @Test
  void everyEventComesOutWithExactlyOneLatestRevision() {
    assertThat(latest).hasSize(S.arrivalOrder().size());
    Map<String, List<Integer>> revs =
        enriched.stream().collect(Collectors.groupingBy(EvidenceEvent::getEventId,
            Collectors.mapping(e -> e.getEnrichment().getRevision(), Collectors.toList())));
    revs.forEach((id, r) -> assertThat(r).as(id).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, r.size()).boxed().toList()));
  }

  @Test
  void flowFromTheCompromisedPodResolvesAtItsTimeDespiteArrivingAfterTheIpWasReused() {
    Enrichment e = of(S.flowApi);
    assertThat(e.getNamespace()).isEqualTo("payments");
    assertThat(e.getPodName()).isEqualTo("api-7d9f");
    assertThat(e.getPodUid()).isEqualTo("6f1c2b1e-0000-4000-8000-0000000000a1");
    assertThat(e.getCluster()).isEqualTo("prod");
    assertThat(e.getNodeName()).isEqualTo(CorrelationScenario.NODE);
    assertThat(e.getServiceAccount()).isEqualTo("payments/api-sa");
    assertThat(e.getIamRole()).isEqualTo(ROLE);
    assertThat(e.getEniUid()).isEqualTo("eni-0aaa1");
    assertThat(e.getInstanceUid()).isEqualTo(CorrelationScenario.INSTANCE);
    assertThat(e.getAccountUid()).isEqualTo("111111111111");
    assertThat(e.getVpcUid()).isEqualTo("vpc-0aaa");
    assertThat(e.getBindingIds()).isNotEmpty();
  }

  @Test
  void reusedIpResolvesToItsLaterHolder() {
    Enrichment e = of(S.flowWeb);
    assertThat(e.getNamespace()).isEqualTo("shop");
    assertThat(e.getPodName()).isEqualTo("web-1");
    assertThat(e.getServiceAccount()).isEqualTo("shop/web");
    assertThat(e.getIamRole()).isNull();
  }

  @Test
  void overlappingRangeOfAnotherAccountNeverLeaks() {
    Enrichment e = of(S.flowStage);
    assertThat(e.getPodName()).isEqualTo("job-x");
    assertThat(e.getCluster()).isEqualTo("stage");
    assertThat(e.getAccountUid()).isEqualTo("222222222222");
    for (EvidenceEvent x : enriched) {
      if (x.getCloud() != null && "111111111111".equals(x.getCloud().getAccountUid())) {
        assertThat(x.getEnrichment().getPodName()).isNotEqualTo("job-x");
      }
    }
  }

  @Test
  void lateBindingReResolvesTheFlowItExplains() {
    Enrichment e = of(S.flowLate);
    assertThat(e.getPodName()).isEqualTo("late-2");
    assertThat(e.getNamespace()).isEqualTo("shop");
    long copies = enriched.stream().filter(x -> x.getEventId().equals(S.flowLate.getEventId())).count();
    assertThat(copies).isEqualTo(e.getRevision() + 1L);
  }

  @Test
  void aDeletedPodKeepsItsIpThroughItsGracePeriodUntilItsContainersStop() {
    Enrichment grace = of(S.flowDuringGrace);
    assertThat(grace.getPodName()).as("10 s after the delete request, within the grace period").isEqualTo("cart-1");
    assertThat(grace.getServiceAccount()).isEqualTo("shop/cart");
    assertThat(of(S.flowAfterTermination).getPodName()).as("after its container terminated").isNull();
    assertThat(of(S.flowPastGrace).getPodName()).as("killed at the grace period's end, terminated later")
        .isEqualTo("slow-1");
    assertThat(of(S.flowAfterKill).getPodName()).isNull();
  }

  @Test
  void beforeAnyHolderTheAddressStaysUnresolved() {
    Enrichment e = of(S.flowBefore);
    assertThat(e.getPodName()).isNull();
    assertThat(e.getUnresolved()).contains("ip|aws:111111111111|10.0.1.57");
    assertThat(e.getInstanceUid()).isEqualTo(CorrelationScenario.INSTANCE);
  }

  @Test
  void falcoAlertWithOnlyAContainerIdGainsPodNodeImageServiceAccountAndRole() {
    Enrichment e = of(S.falco.get(0));
    assertThat(e.getContainerUid()).as("the short id gets its full form").isEqualTo(CorrelationScenario.C1);
    assertThat(e.getNamespace()).isEqualTo("payments");
    assertThat(e.getPodName()).isEqualTo("api-7d9f");
    assertThat(e.getNodeName()).isEqualTo(CorrelationScenario.NODE);
    assertThat(e.getCluster()).isEqualTo("prod");
    assertThat(e.getImageDigest()).isEqualTo(CorrelationScenario.DIGEST_API);
    assertThat(e.getServiceAccount()).isEqualTo("payments/api-sa");
    assertThat(e.getIamRole()).isEqualTo(ROLE);
  }

  @Test
  void cloudTrailCallsResolveThroughTheirSessionAndSourceAddress() {
    Enrichment get = of(S.getObject());
    assertThat(get.getServiceAccount()).isEqualTo("payments/api-sa");
    assertThat(get.getIamRole()).isEqualTo(ROLE);
    // a public source address names no pod, but the session does: payments/api-7d9f was the only pod of its service
    // account alive when the session was issued (SessionPods, 0.6)
    assertThat(get.getPodName()).isEqualTo("api-7d9f");
    assertThat(get.getNodeName()).isEqualTo(CorrelationScenario.NODE);
    Enrichment assume = of(S.assumeRole());
    assertThat(assume.getPodName()).as("the web identity call came from the pod's address").isEqualTo("api-7d9f");
  }

  /** The bindings index after applying the writes: the highest revision per id, retracted ones deleted. */
  static Map<String, EntityBinding> indexView(List<EntityBinding> writes) {
    Map<String, EntityBinding> latestById = new java.util.TreeMap<>();
    for (EntityBinding b : writes) {
      latestById.merge(b.getBindingId(), b, (x, y) -> x.getRevision() >= y.getRevision() ? x : y);
    }
    latestById.values().removeIf(EntityBinding::getRetracted);
    return latestById;
  }

  @Test
  void bindingsAreOneDocumentPerFactWithTheEvidenceMerged() {
    assertThat(bindings.stream().map(b -> b.getBindingId() + "@" + b.getRevision()).distinct().count())
        .as("every write of a fact has its own revision").isEqualTo(bindings.size());
    Map<String, EntityBinding> index = indexView(bindings);
    assertThat(index.values().stream().map(EntityBinding::getKind).distinct().sorted().toList())
        .contains("ip_pod", "pod_node", "container_pod", "container_image", "node_instance", "eni_instance",
            "serviceaccount_role", "session_serviceaccount", "accesskey_session");
    // the same ENI -> instance is stated by each prod flow record: one fact, from the earliest
    long flowsOnEni = S.arrivalOrder().stream().filter(e -> e.getCloud() != null
        && "eni-0aaa1".equals(e.getCloud().getEniUid())).count();
    assertThat(index.values().stream().filter(b -> b.getKind().equals("eni_instance")
        && b.getSubject().getKey().equals("eni-0aaa1"))).singleElement().satisfies(b -> {
          assertThat(b.getValidFrom()).isEqualTo(S.flowBefore.getTime());
          assertThat(b.getEvidenceCount()).isEqualTo((int) flowsOnEni).isEqualTo(8);
          assertThat(b.getEvidence()).extracting(x -> x.getLineage().getEventId())
              .contains(S.flowBefore.getEventId(), S.flowApi.getEventId());
        });
    // 10.0.1.57 in the prod account: the compromised pod until its delete, then shop/web-1
    List<EntityBinding> ip = index.values().stream().filter(b -> b.getKind().equals("ip_pod")
        && b.getSubject().getKey().equals("10.0.1.57") && b.getSubject().getScope().equals("aws:111111111111"))
        .sorted(Comparator.comparing(EntityBinding::getValidFrom)).toList();
    assertThat(ip).extracting(b -> b.getObject().getKey()).containsExactly("payments/api-7d9f", "shop/web-1");
    assertThat(ip.get(0).getEndObserved()).isTrue();
    assertThat(ip.get(1).getValidTo()).isNull();
  }

  @Test
  void theBindingsIndexIsTheSameWhateverTheArrivalOrder() throws Exception {
    List<EvidenceEvent> reversed = new java.util.ArrayList<>(S.arrivalOrder());
    java.util.Collections.reverse(reversed);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<EvidenceEvent> events =
        env.fromData(StrataTypes.EVIDENCE_EVENT, reversed.toArray(new EvidenceEvent[0]))
            .assignTimestampsAndWatermarks(ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30)));
    CollectSink<EntityBinding> bs = new CollectSink<>();
    CorrelateJob.build(events, CorrelateJob.StateSettings.bounded()).bindings().sinkTo(bs);
    env.execute("correlate-reversed-test");
    Map<String, EntityBinding> other = indexView(bs.collected().stream().map(CollectSink.Collected::value).toList());
    Map<String, EntityBinding> index = indexView(bindings);
    assertThat(other.keySet()).isEqualTo(index.keySet());
    other.forEach((id, b) -> assertThat(withoutRevision(b)).as(id).isEqualTo(withoutRevision(index.get(id))));
  }

  /** The record's content (revisions count writes, which differ by arrival order). */
  static String withoutRevision(EntityBinding b) {
    return b.toString().replaceFirst("\"revision\": \\d+", "");
  }

  @Test
  void rocksDbStateBackendGivesTheSameAnswers() throws Exception {
    // the job's RocksDB settings (bloom filters, block hash index, managed block cache), a small cache
    RocksDbSettings settings = new RocksDbSettings(MemorySize.parse("32m"), 10, MemorySize.parse("4kb"));
    org.apache.flink.configuration.Configuration conf =
        org.apache.flink.configuration.Configuration.fromMap(settings.flinkProperties());
    conf.setString("taskmanager.memory.managed.size", settings.managedMemory(2));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    DataStream<EvidenceEvent> events =
        env.fromData(StrataTypes.EVIDENCE_EVENT, S.arrivalOrder().toArray(new EvidenceEvent[0]))
            .assignTimestampsAndWatermarks(ParseJob.watermarks(Duration.ofMinutes(5), Duration.ofSeconds(30)));
    CollectSink<EvidenceEvent> out = new CollectSink<>();
    CorrelateJob.build(events, CorrelateJob.StateSettings.bounded()).enriched().sinkTo(out);
    env.execute("correlate-rocksdb-test");
    Map<String, EvidenceEvent> l = out.collected().stream().map(CollectSink.Collected::value)
        .collect(Collectors.toMap(EvidenceEvent::getEventId, e -> e,
            (a, b) -> a.getEnrichment().getRevision() >= b.getEnrichment().getRevision() ? a : b));
    for (EvidenceEvent e : S.arrivalOrder()) {
      Enrichment heap = of(e);
      Enrichment rocks = l.get(e.getEventId()).getEnrichment();
      assertThat(rocks.getPodName()).as(e.getSourceFormat() + " " + e.getTime()).isEqualTo(heap.getPodName());
      assertThat(rocks.getIamRole()).isEqualTo(heap.getIamRole());
      assertThat(rocks.getNodeName()).isEqualTo(heap.getNodeName());
    }
  }

  static Comparator<EvidenceEvent> byRevision() {
    return Comparator.comparingInt(e -> e.getEnrichment().getRevision());
  }
}
