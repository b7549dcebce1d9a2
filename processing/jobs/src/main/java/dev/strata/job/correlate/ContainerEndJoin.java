package dev.strata.job.correlate;

import dev.strata.correlate.BindingExtractor;
import dev.strata.correlate.ContainerEnds;
import dev.strata.schema.correlate.EntityBinding;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;

/**
 * What the joins on a container's runtime end share ({@link CloseContainerBindings}, {@link JoinSandboxPods}): the
 * wiring (the events that end a container, or sandbox, and the statements that name one, both keyed by {@link
 * ContainerEnds#key} of its id, meet in the join; what it emits joins the extracted statements: {@link #attach}), the
 * bounds (retention, {@link Long#MAX_VALUE} in bounded runs, and closed TTL), the per-subtask extractor and the time
 * of a piece of news of the container ({@link #newsTime}). The state, kept until a time moved by the news with one
 * timer per container, is each join's own (its names and forms are part of the savepoint).
 */
abstract class ContainerEndJoin extends KeyedCoProcessFunction<String, EvidenceEvent, EntityBinding, EntityBinding> {
  private static final long serialVersionUID = 1L;

  /** The container (or sandbox) id a statement names for the join, or null when it takes no part. */
  interface Subject extends Serializable {
    String of(EntityBinding b);
  }

  protected final long retentionMs;
  protected final long closedTtlMs;
  protected transient BindingExtractor extractor;

  ContainerEndJoin(long retentionMs, long closedTtlMs) {
    this.retentionMs = retentionMs;
    this.closedTtlMs = closedTtlMs;
  }

  /**
   * {@code extracted} plus what {@code join} emits; operator uids {@code endsUid} (the end events), {@code
   * membersUid} (the statements with a subject) and {@code uid} (the join).
   */
  static DataStream<EntityBinding> attach(DataStream<EvidenceEvent> events, DataStream<EntityBinding> extracted,
      TypeInformation<EntityBinding> type, String endsUid, String membersUid, Subject subject, ContainerEndJoin join,
      String uid) {
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

  @Override
  public final void open(OpenContext ctx) throws Exception {
    extractor = new BindingExtractor();
    openState();
  }

  /** Opens the join's keyed state. */
  protected abstract void openState() throws Exception;

  /** Bounded runs (retention {@link Long#MAX_VALUE}): nothing is cleared. */
  protected final boolean keepsAll() {
    return retentionMs == Long.MAX_VALUE;
  }

  /**
   * When the record in hand is news of the container (event time, ms): the stating event's timestamp when the record
   * has one, else {@code fallbackMs} (the time it states).
   */
  protected static long newsTime(Context ctx, long fallbackMs) {
    Long ts = ctx.timestamp();
    return ts != null ? ts : fallbackMs;
  }
}
