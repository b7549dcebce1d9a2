package dev.strata.job.correlate;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.runtime.state.StateSnapshotContext;
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
 *
 * <p>Complete state that is only kept for late evidence (the final join's emitted event, a lookup's probe
 * registrations) is not written at once either: a function collects up to {@link #BATCH} such entries ({@link
 * #ready}) and writes them in one go in the order of the state's keys ({@link #writeReady}, {@link StateKeyOrder}),
 * so RocksDB's memtable inserts them next to each other instead of searching its skip list from the top for each
 * (session 11: that search was a third of the process). They are written before each checkpoint barrier too, and
 * found on the heap until then.
 */
public interface InFlight {
  /** Entries held on the heap before they are all written out. */
  int MAX_HELD = 50_000;

  /** Complete entries collected before they are written in one batch, in key order ({@link #writeReady}). */
  int BATCH = 16_384;

  /** Number of entries held on the heap (waiting for a message). */
  int held();

  /** Number of complete entries on the heap that wait only to be written ({@link #writeReady}); none by default. */
  default int ready() {
    return 0;
  }

  /**
   * Writes every complete entry ({@link #ready}) into keyed state, in the order of the state's keys, and forgets it:
   * {@code setKey} makes a key the current key before its state is written.
   */
  default void writeReady(Consumer<String> setKey) throws Exception {}

  /**
   * Writes every held entry into keyed state and forgets it: {@code setKey} makes an event id the current key before
   * its state is written.
   */
  void writeHeld(Consumer<String> setKey) throws Exception;

  /**
   * What {@link #writeHeld} and {@link #writeReady} do with a function's map of entries: writes each with {@code
   * write} under its event id as the current key ({@code setKey}), in the state's key order ({@code order}), then
   * forgets them all.
   */
  static <V> void writeAll(Map<String, V> held, StateKeyOrder order, Consumer<String> setKey, StateWrite<V> write)
      throws Exception {
    if (held.isEmpty()) return;
    for (String key : order.sorted(held.keySet())) {
      setKey.accept(key);
      write.write(key, held.get(key));
    }
    held.clear();
  }

  /** Writes one held entry into keyed state (the current key is its event id, {@code key}). */
  @FunctionalInterface
  interface StateWrite<V> {
    void write(String key, V value) throws Exception;
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
      writeIfFull();
    }

    @Override
    public void processElement2(StreamRecord<IN2> element) throws Exception {
      super.processElement2(element);
      writeIfFull();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      super.prepareSnapshotPreBarrier(checkpointId);
      writeAll();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
      writeAll(); // nothing left after prepareSnapshotPreBarrier: only for a snapshot taken without it
      super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
      writeAll();
      super.finish();
    }

    private InFlight function() {
      return (InFlight) getUserFunction();
    }

    private void writeIfFull() throws Exception {
      InFlight f = function();
      if (f.ready() >= BATCH) f.writeReady(this::setCurrentKey);
      if (f.held() > MAX_HELD) f.writeHeld(this::setCurrentKey);
    }

    private void writeAll() throws Exception {
      function().writeReady(this::setCurrentKey);
      function().writeHeld(this::setCurrentKey);
    }
  }
}
