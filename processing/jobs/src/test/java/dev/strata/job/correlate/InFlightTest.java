package dev.strata.job.correlate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.correlate.BindingKind;
import dev.strata.correlate.CorrelationScenario;
import dev.strata.correlate.Hit;
import dev.strata.job.serde.AvroWireDecoder;
import dev.strata.schema.event.EvidenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Per-event state held on the heap ({@link InFlight}) is in the checkpoint: a gather that has its request and one of
 * two answers is snapshotted, restored into a fresh operator, and completes there with the rest. Fixtures: a VPC Flow record of the correlation scenario (CorrelationScenario.flow, following the AWS VPC
 * Flow Logs record format) and hand-made answers.
 */
class InFlightTest {
  static final EvidenceEvent FLOW = CorrelationScenario.flow("flow-1", "111111111111", "vpc-0aaa", "eni-01",
      "i-01", "10.0.1.57", "10.0.2.9", "2026-11-20T10:02:00Z");

  static final Hit POD = new Hit(BindingKind.IP_POD, "a".repeat(64), "payments/api-7d9f",
      Map.of("namespace", "payments", "pod_name", "api-7d9f", "cluster", "prod"));

  @Test
  void aGatherWaitingForAnAnswerAtACheckpointCompletesAfterARestore() throws Exception {
    EnrichRequest r = EnrichRequest.of(FLOW);
    List<String> keys = r.keys(1);
    assertThat(keys).hasSizeGreaterThanOrEqualTo(2);
    OperatorSubtaskState snapshot;
    try (var h = gather()) {
      h.open();
      h.processElement1(new StreamRecord<>(r, 1));
      h.processElement2(new StreamRecord<>(new Resolution(r.eventId(), keys.get(0), 0, List.of(POD)), 1));
      for (int i = 1; i < keys.size() - 1; i++) {
        h.processElement2(new StreamRecord<>(new Resolution(r.eventId(), keys.get(i), 0, List.of()), 1));
      }
      assertThat(h.extractOutputValues()).isEmpty();
      h.prepareSnapshotPreBarrier(1); // what the task does before it sends the barrier on
      snapshot = h.snapshot(1, 1);
    }
    try (var h = gather()) {
      h.initializeState(snapshot);
      h.open();
      h.processElement2(new StreamRecord<>(new Resolution(r.eventId(), keys.get(keys.size() - 1), 0, List.of()), 2));
      List<EnrichRequest> out = h.extractOutputValues();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).eventId()).isEqualTo(r.eventId());
      assertThat(out.get(0).known().getPodName()).isEqualTo("api-7d9f");
      assertThat(out.get(0).known().getNamespace()).isEqualTo("payments");
    }
  }

  static WireEvent wire(EvidenceEvent e) {
    return new WireEvent(e.getEventId(), new EventWire().withoutEnrichment(e));
  }

  /** The join's output, decoded. */
  static List<EvidenceEvent> decoded(List<EnrichedEvent> out) {
    AvroWireDecoder<EvidenceEvent> decoder = new AvroWireDecoder<>(EvidenceEvent.class);
    return out.stream().map(e -> e.decode(decoder)).toList();
  }

  @Test
  void heldEntriesAreWrittenOutWhenTooManyWait() throws Exception {
    try (var h = gather()) {
      h.open();
      GatherFunction f = (GatherFunction) ((InFlight.Operator<?, ?, ?>) h.getOperator()).getUserFunction();
      List<EnrichRequest> requests = new ArrayList<>();
      for (int i = 0; i <= InFlight.MAX_HELD; i++) {
        EnrichRequest r = EnrichRequest.of(FLOW);
        requests.add(new EnrichRequest("e" + i, r.time(), 0, r.known(), r.hop1Keys()));
        h.processElement1(new StreamRecord<>(requests.get(i), 1));
      }
      assertThat(f.held()).isZero();
      // the written-out state still completes: every answer of the first event
      for (String k : requests.get(0).keys(1)) {
        h.processElement2(new StreamRecord<>(new Resolution("e0", k, 0, List.of(POD)), 2));
      }
      assertThat(h.extractOutputValues()).extracting(EnrichRequest::eventId).containsExactly("e0");
    }
  }

  static KeyedTwoInputStreamOperatorTestHarness<String, EnrichRequest, Resolution, EnrichRequest> gather()
      throws Exception {
    var h = new KeyedTwoInputStreamOperatorTestHarness<>(
        new InFlight.Operator<>(new GatherFunction(1, Long.MAX_VALUE)),
        (KeySelector<EnrichRequest, String>) EnrichRequest::eventId,
        (KeySelector<Resolution, String>) Resolution::eventId, Types.STRING);
    h.setup(EnrichRequest.TYPE.createSerializer(new SerializerConfigImpl()));
    return h;
  }
}
