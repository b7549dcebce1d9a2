package dev.strata.job;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.DetachedJobExecutionResult;

/**
 * What one run of the parse job did, read from the job's accumulators when it finished.
 *
 * @param jobId Flink job id
 * @param runtime net runtime of the job (from submission to end, without cluster start)
 * @param recordsIn records read from the raw topic (chunks and undecodable records)
 * @param chunksIn chunks decoded and handed to the parsers
 * @param eventsOut events emitted (to the normalized topic, and the event index when on)
 * @param deadLettersByReason dead letters emitted, by reason code
 */
public record ParseJobResult(
    String jobId,
    Duration runtime,
    long recordsIn,
    long chunksIn,
    long eventsOut,
    Map<String, Long> deadLettersByReason) {

  public ParseJobResult {
    deadLettersByReason = Collections.unmodifiableMap(new TreeMap<>(deadLettersByReason));
  }

  /** All dead letters. */
  public long deadLetters() {
    return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Reads the counters {@link ParseChunkFunction} keeps as accumulators. A detached submission ({@code flink run
   * -d}) has none: counts are -1 and the runtime zero.
   */
  public static ParseJobResult from(JobExecutionResult result) {
    if (result instanceof DetachedJobExecutionResult) {
      return new ParseJobResult(result.getJobID().toString(), Duration.ZERO, -1, -1, -1, Map.of());
    }
    Map<String, Object> acc = result.getAllAccumulatorResults();
    Map<String, Long> byReason = new TreeMap<>();
    acc.forEach(
        (name, value) -> {
          if (name.startsWith(ParseChunkFunction.ACC_DEAD_LETTERS_PREFIX) && value instanceof Number n) {
            byReason.put(name.substring(ParseChunkFunction.ACC_DEAD_LETTERS_PREFIX.length()), n.longValue());
          }
        });
    return new ParseJobResult(
        result.getJobID().toString(),
        Duration.ofMillis(result.getNetRuntime()),
        number(acc.get(ParseChunkFunction.ACC_RECORDS_IN)),
        number(acc.get(ParseChunkFunction.ACC_CHUNKS_IN)),
        number(acc.get(ParseChunkFunction.ACC_EVENTS_OUT)),
        byReason);
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0L;
  }

  /** One line for humans: {@code records in 12, chunks 11, events 30210, dead letters 4 (malformed_json=3, ...)}. */
  public String summary() {
    return "records in "
        + recordsIn
        + ", chunks "
        + chunksIn
        + ", events "
        + eventsOut
        + ", dead letters "
        + deadLetters()
        + (deadLettersByReason.isEmpty() ? "" : " " + deadLettersByReason)
        + " in "
        + runtime.toMillis()
        + " ms";
  }
}
