package dev.strata.job.correlate;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Per-event state that is transient for most events: a gather waits a few milliseconds for its answers, the final
 * join for its event or its result. A function that implements this keeps such state on the heap, keyed by event id,
 * and writes an event's state into Flink's keyed state only when it is complete (what late evidence may need later:
 * one write per event instead of a read and a write per message; the JFR profile of session 5 put most of the
 * gathers' and the join's time in RocksDB reads and writes and the codecs around them).
 *
 * <p>Nothing is lost at a checkpoint or on restore: {@link Operator} writes every held entry into keyed state before
 * the checkpoint barrier ({@code prepareSnapshotPreBarrier}), so the snapshot holds all of it and a restored job
 * reads it back from keyed state. The heap part is also written out when it grows beyond {@link #MAX_HELD} entries
 * (events whose answers never come must not grow the heap without bound when checkpointing is off).
 */
public interface InFlight {
  /** Entries held on the heap before they are all written out. */
  int MAX_HELD = 50_000;

  /** Number of entries held on the heap. */
  int held();

  /**
   * Writes every held entry into keyed state and forgets it: {@code setKey} makes an event id the current key before
   * its state is written.
   */
  void writeHeld(Consumer<String> setKey) throws Exception;

  /**
   * What {@link #writeHeld} does with a function's map of held entries: writes each with {@code write} under its event
   * id as the current key ({@code setKey}), then forgets them all.
   */
  static <V> void writeAll(Map<String, V> held, Consumer<String> setKey, StateWrite<V> write) throws Exception {
    for (Map.Entry<String, V> e : held.entrySet()) {
      setKey.accept(e.getKey());
      write.write(e.getValue());
    }
    held.clear();
  }

  /** Writes one held entry into keyed state (the current key is its event id). */
  @FunctionalInterface
  interface StateWrite<V> {
    void write(V value) throws Exception;
  }

  /** The keyed co-process operator of an {@link InFlight} function: writes the held entries out as described. */
  final class Operator<IN1, IN2, OUT> extends KeyedCoProcessOperator<String, IN1, IN2, OUT> {
    private static final long serialVersionUID = 1L;

    public <F extends KeyedCoProcessFunction<String, IN1, IN2, OUT> & InFlight> Operator(F function) {
      super(function);
    }

    @Override
    public void processElement1(StreamRecord<IN1> element) throws Exception {
      super.processElement1(element);
      if (held() > MAX_HELD) writeHeld();
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
      super.processElement2(element);
      if (held() > MAX_HELD) writeHeld();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      writeHeld();
    }

    @Override
    public void finish() throws Exception {
      writeHeld();
      super.finish();
    }

    private int held() {
      return ((InFlight) getUserFunction()).held();
    }

    private void writeHeld() throws Exception {
      ((InFlight) getUserFunction()).writeHeld(this::setCurrentKey);
    }
  }
}
