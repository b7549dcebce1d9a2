package dev.strata.correlate;

import dev.strata.schema.correlate.BindingEvidence;
import dev.strata.schema.correlate.EntityBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The statements of one subject (one kind, one subject entity) -> its facts: one record per (object, interval) with
 * every statement of that interval merged into its evidence. A pure function of the set of statements, so the facts
 * are the same whatever order the evidence arrived in, and re-running over the same evidence gives the same records.
 *
 * <p>The intervals are those {@link KeyState} resolves: at time t the subject is bound to the object of the latest
 * start at or before t, unless a closing statement of that object lies between that start and t, or the start's
 * stated end is at or before t. A fact is a maximal run of time with the same answer: restatements of the object in
 * force extend it (an ip -> pod restated by every status patch is one fact), a start of another object ends it
 * ({@code valid_to} = that start, {@code end_observed} false), a closing statement ends it ({@code end_observed}
 * true, the closing statement is part of its evidence), and so does a stated end ({@code end_observed} as the
 * stating statement says). A closing statement with no start before it is a fact of its own ({@code valid_from ==
 * valid_to}, {@code end_observed}: "bound until then, start unknown"), as the schema defines a closing statement.
 *
 * <p>Order of statements at the same instant: starts before ends, then by binding id (so an end at the instant of a
 * start ends it). Fact id: SHA-256 of kind|subject scope|subject key|object scope|object key|valid_from micros (and
 * {@code |end} for an end with no known start). Evidence: the first {@value #MAX_EVIDENCE} statements by (stated
 * start, binding id), {@code evidence_count} all of them; attributes are merged in that order, the first statement
 * naming an attribute wins; confidence is the highest stated.
 */
public final class BindingFacts {
  public static final int MAX_EVIDENCE = 32;
  private static final HexFormat HEX = HexFormat.of();
  private static final long OPEN = Long.MAX_VALUE;

  /** One fact and the ids of all the statements it merges (for state pruning). */
  public record Fact(EntityBinding binding, List<String> statementIds) {
    public String id() {
      return binding.getBindingId();
    }

    /** End of the interval in micros, or {@link Long#MAX_VALUE} while open. */
    public long endMicros() {
      return binding.getValidTo() == null ? OPEN : BindingExtractor.micros(binding.getValidTo());
    }
  }

  private static final Comparator<S> ORDER =
      Comparator.<S>comparingLong(s -> s.from).thenComparing(s -> s.end).thenComparing(s -> s.b.getBindingId());

  /** A statement with its times decoded. */
  private static final class S {
    final EntityBinding b;
    final boolean end;
    final long from;
    final long to; // stated end of a start, OPEN if none
    final String object;

    S(EntityBinding b) {
      this.b = b;
      this.end = BindingExtractor.isClosing(b);
      this.from = BindingExtractor.micros(b.getValidFrom());
      this.to = end || b.getValidTo() == null ? OPEN : BindingExtractor.micros(b.getValidTo());
      // by key, as KeyState resolves: an end event may not know the object's scope (a Docker die's pod labels name
      // no cluster), and a subject's objects of one key are one object (its scope is the subject's tenant)
      this.object = b.getObject().getKey();
    }
  }

  private final MessageDigest sha256;

  public BindingFacts() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key statements are grouped by: kind|subject scope|subject key. */
  public static String subjectKey(EntityBinding b) {
    return b.getKind() + '|' + b.getSubject().getScope() + '|' + b.getSubject().getKey();
  }

  /** The facts of {@code statements} (one kind and subject; duplicates by binding id count once), by valid_from. */
  public List<Fact> facts(Collection<EntityBinding> statements) {
    Map<String, S> byId = new TreeMap<>();
    for (EntityBinding b : statements) byId.putIfAbsent(b.getBindingId(), new S(b));
    List<S> all = new ArrayList<>(byId.values());
    all.sort(ORDER);
    TreeSet<Long> points = new TreeSet<>();
    for (S s : all) {
      points.add(s.from);
      if (s.to != OPEN) points.add(s.to);
    }
    List<Draft> drafts = new ArrayList<>();
    List<Boolean> usedEnd = new ArrayList<>(all.size());
    for (int i = 0; i < all.size(); i++) usedEnd.add(false);
    S current = null; // the start answering the run being built
    long runFrom = 0;
    for (long p : points) {
      S answer = answer(all, p);
      if (current != null && (answer == null || !answer.object.equals(current.object))) {
        drafts.add(fact(all, current, runFrom, p, usedEnd));
        current = null;
      }
      if (answer != null && current == null) {
        current = answer;
        runFrom = p;
      }
    }
    if (current != null) drafts.add(fact(all, current, runFrom, OPEN, usedEnd));
    // closing statements that end no interval: a repeated end of an interval already ended by evidence (a Podman
    // died, then cleanup, then remove) is more evidence of that end; any other is "bound until then, start unknown"
    Map<String, List<S>> orphans = new LinkedHashMap<>();
    for (int i = 0; i < all.size(); i++) {
      S s = all.get(i);
      if (!s.end || usedEnd.get(i)) continue;
      Draft ended = endedBefore(drafts, s);
      if (ended != null) ended.members.add(s);
      else orphans.computeIfAbsent(s.object + '\u0000' + s.from, k -> new ArrayList<>()).add(s);
    }
    List<Fact> out = new ArrayList<>(drafts.size() + orphans.size());
    for (Draft d : drafts) out.add(build(d.answer, d.from, d.to, d.endObserved, d.members, false));
    for (List<S> ends : orphans.values()) {
      S first = ends.get(0);
      out.add(build(first, first.from, first.from, true, ends, true));
    }
    out.sort(Comparator.comparing((Fact f) -> f.binding().getValidFrom()).thenComparing(Fact::id));
    return out;
  }

  /** The start answering a lookup at time t (see the class doc), or null. */
  private static S answer(List<S> all, long t) {
    int i = all.size() - 1;
    while (i >= 0 && all.get(i).from > t) i--;
    List<String> ended = new ArrayList<>(2);
    for (; i >= 0; i--) {
      S s = all.get(i);
      if (s.end) {
        ended.add(s.object);
        continue;
      }
      if (ended.contains(s.object) || t >= s.to) return null;
      return s;
    }
    return null;
  }

  /** An interval before it is built: the start answering it, its bounds, its statements. */
  private record Draft(S answer, long from, long to, boolean endObserved, List<S> members) {}

  /** The latest interval of {@code end}'s object that evidence ended at or before {@code end}, or null. */
  private static Draft endedBefore(List<Draft> drafts, S end) {
    Draft found = null;
    for (Draft d : drafts) {
      if (d.endObserved && d.to != OPEN && d.to <= end.from && d.answer.object.equals(end.object)) found = d;
    }
    return found;
  }

  private Draft fact(List<S> all, S answer, long from, long to, List<Boolean> usedEnd) {
    List<S> members = new ArrayList<>();
    boolean endObserved = false;
    for (int i = 0; i < all.size(); i++) {
      S s = all.get(i);
      if (!s.object.equals(answer.object)) continue;
      if (!s.end && s.from >= from && s.from < to) members.add(s);
      if (s.end && to != OPEN && s.from == to) {
        members.add(s);
        usedEnd.set(i, true);
        endObserved = true;
      }
    }
    if (!endObserved && to != OPEN) {
      // ended by a stated end (task stopped: observed; credentials expired: not) or by another object's start
      for (S s : members) {
        if (!s.end && s.to == to && Boolean.TRUE.equals(s.b.getEndObserved())) endObserved = true;
      }
    }
    return new Draft(answer, from, to, endObserved, members);
  }

  private Fact build(S answer, long from, long to, boolean endObserved, List<S> members, boolean endOnly) {
    members.sort(ORDER);
    EntityBinding a = answer.b;
    String id = factId(a, from, endOnly);
    Map<String, String> attrs = new LinkedHashMap<>();
    float confidence = 0f;
    List<BindingEvidence> evidence = new ArrayList<>(Math.min(members.size(), MAX_EVIDENCE));
    List<String> ids = new ArrayList<>(members.size());
    for (S s : members) {
      ids.add(s.b.getBindingId());
      s.b.getAttributes().forEach(attrs::putIfAbsent);
      confidence = Math.max(confidence, s.b.getConfidence());
      if (evidence.size() < MAX_EVIDENCE) {
        evidence.add(BindingEvidence.newBuilder()
            .setBindingId(s.b.getBindingId())
            .setSourceFormat(s.b.getSourceFormat())
            .setValidFrom(s.b.getValidFrom())
            .setValidTo(s.b.getValidTo())
            .setClosing(s.end)
            .setConfidence(s.b.getConfidence())
            .setLineage(s.b.getLineage())
            .build());
      }
    }
    EntityBinding first = members.get(0).b;
    EntityBinding fact = EntityBinding.newBuilder()
        .setBindingId(id)
        .setKind(a.getKind())
        .setSubject(a.getSubject())
        .setObject(a.getObject())
        .setAttributes(attrs)
        .setValidFrom(instant(from))
        .setValidTo(to == OPEN ? null : instant(to))
        .setEndObserved(endObserved)
        .setConfidence(confidence)
        .setSourceFormat(first.getSourceFormat())
        .setLineage(first.getLineage())
        .setEvidence(evidence)
        .setEvidenceCount(members.size())
        .build();
    return new Fact(fact, ids);
  }

  private String factId(EntityBinding a, long from, boolean endOnly) {
    String in = a.getKind() + '|' + a.getSubject().getScope() + '|' + a.getSubject().getKey() + '|'
        + a.getObject().getScope() + '|' + a.getObject().getKey() + '|' + from + (endOnly ? "|end" : "");
    return HEX.formatHex(sha256.digest(in.getBytes(StandardCharsets.UTF_8)));
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }
}
