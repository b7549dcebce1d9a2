package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.ContainerEnds;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;

/**
 * The wiring the joins on a container's runtime end share ({@link CloseContainerBindings}, {@link JoinSandboxPods}):
 * the events that end a container (or sandbox) and the statements that name one, both keyed by {@link
 * ContainerEnds#key} of its id, meet in {@code join}; what it emits joins the extracted statements.
 */
final class ContainerEndJoin {
  /** The container (or sandbox) id a statement names for the join, or null when it takes no part. */
  interface Subject extends Serializable {
    String of(EntityBinding b);
  }

  private ContainerEndJoin() {}

  /**
   * {@code extracted} plus what {@code join} emits; operator uids {@code endsUid} (the end events), {@code
   * membersUid} (the statements with a subject) and {@code uid} (the join).
   */
  static DataStream<EntityBinding> attach(DataStream<EvidenceEvent> events, DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, String endsUid, String membersUid, Subject subject,
      KeyedCoProcessFunction<String, EvidenceEvent, EntityBinding, EntityBinding> join, String uid) {
    DataStream<EvidenceEvent> ends =
        events.filter(e -> BindingExtractor.containerEnd(e) != null).name(endsUid).uid(endsUid);
    DataStream<EntityBinding> members = extracted.filter(b -> subject.of(b) != null).name(membersUid).uid(membersUid);
    DataStream<EntityBinding> joined =
        ends.keyBy(e -> ContainerEnds.key(BindingExtractor.containerEnd(e)), Types.STRING)
            .connect(members.keyBy(b -> ContainerEnds.key(subject.of(b)), Types.STRING))
            .process(join, type)
            .name(uid)
            .uid(uid);
    return extracted.union(joined);
  }
}
