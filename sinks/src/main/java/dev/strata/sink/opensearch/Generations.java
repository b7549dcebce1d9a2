package dev.strata.sink.opensearch;

/**
 * External versions of the documents a correlation run writes (enriched events, binding facts): the run's
 * <em>generation</em> in the high bits, the record's revision in the low {@value #REVISION_BITS}.
 *
 * <p>Revisions count what one job emitted for a record (an event re-resolved by late evidence, a fact restated), so
 * they only compare within one run: a second bounded run over the same normalized events (a replay with a new
 * consumer group, a re-run after more evidence came) starts from no state, and how many revisions it gives a record
 * depends on the order bindings and events meet in it. Its answers are the newer ones all the same (it read everything
 * the first run read, and more), so they must replace the first run's whatever their revision: the generation is the
 * time (epoch milliseconds) the run's job was built ({@link #next}), fixed in its job graph, so a failover or a restore
 * of the same submission keeps it, and a later submission (a new run, a restart from a savepoint) writes above every
 * earlier one. Within a run, a newer revision still replaces an older one and never the reverse. Generation 0 is "no
 * run" (tests, tools): plain revisions.
 *
 * <p>Two runs writing the same index at once (a following job and a bounded re-run) interleave: the later-submitted
 * one wins each record it writes. Runs are ordered by the submitting machines' clocks.
 */
public final class Generations {
  /** Bits of an external version that hold the revision; the generation is above them. */
  public static final int REVISION_BITS = 20;

  /** The highest revision a version holds (beyond it, the revision stays at this value). */
  public static final long MAX_REVISION = (1L << REVISION_BITS) - 1;

  private Generations() {}

  /** The generation of a run whose job is built now. */
  public static long next() {
    return System.currentTimeMillis();
  }

  /** The external version of a record at {@code revision} (clamped to {@link #MAX_REVISION}) written by {@code generation}. */
  public static long version(long generation, long revision) {
    if (generation < 0 || generation > (Long.MAX_VALUE >>> REVISION_BITS)) {
      throw new IllegalArgumentException("generation out of range: " + generation);
    }
    return (generation << REVISION_BITS) | Math.min(Math.max(revision, 0), MAX_REVISION);
  }

  /** The revision an external version holds. */
  public static long revision(long version) {
    return version & MAX_REVISION;
  }

  /** The generation an external version was written by. */
  public static long generation(long version) {
    return version >>> REVISION_BITS;
  }
}
