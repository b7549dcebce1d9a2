package dev.strata.job.incident;

import static dev.strata.job.incident.IncidentGrouperTest.T0;
import static dev.strata.job.incident.IncidentGrouperTest.c;
import static dev.strata.job.incident.IncidentGrouperTest.cloudTrail;
import static dev.strata.job.incident.IncidentGrouperTest.falco;
import static dev.strata.job.incident.IncidentGrouperTest.log;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.Cloud;
import dev.strata.schema.event.Container;
import dev.strata.schema.event.EvidenceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The incremental flush ({@link IncidentEngine#flush}: {@link TenantIndex} groups, {@link IncidentAccumulator}
 * assembles a grown incident from its last parts plus the change) against the full regrouping and whole re-assembly
 * it replaced ({@link IncidentEngine#flushRegrouping}, {@link IncidentAssembler#assemble}): random evidence (Falco
 * alerts and log lines on containers of shared nodes and on the nodes themselves, GetSecretValue bursts and CreateAccessKey calls, two tenants;
 * container -> pod bindings arrive late when a container's log lines come before its alert), shuffled, flushed at
 * random points with and without a watermark (so sealing, retention and the member cap evict), the incremental engine
 * now and then restarted over its store (a restore: index and parts rebuilt): every flush emits the same incident
 * records, byte for byte (revisions, MERGED tombstones), and the stores end the same. Synthetic events from
 * IncidentGrouperTest's builders.
 */
class IncrementalGroupingTest {

  static List<EvidenceEvent> randomEvidence(Random rnd, int n) {
    return randomEvidence(rnd, n, 40, 7, 7, 0);
  }

  /**
   * {@code containers} containers on {@code nodes} nodes, {@code falcoPercent} of the events Falco alerts, log lines
   * naming one of {@code images} image names (an image entity and indicator each; 0: none).
   */
  static List<EvidenceEvent> randomEvidence(Random rnd, int n, int containers, int nodes, int falcoPercent,
      int images) {
    List<EvidenceEvent> out = new ArrayList<>(n);
    String[] users = {"dave", "erin", "frank"};
    for (int i = 0; i < n; i++) {
      Instant t = T0.plusSeconds(rnd.nextInt(12 * 3600));
      int container = rnd.nextInt(containers);
      String node = "node-" + (container % nodes);
      int kind = rnd.nextInt(100);
      EvidenceEvent e;
      if (kind < falcoPercent) {
        e = falco("f" + i, t, node, c(container), "pod-" + container);
      } else if (kind < falcoPercent + 10) {
        // bursts: calls of one user close together
        Instant near = T0.plusSeconds(3600L * rnd.nextInt(12) + rnd.nextInt(400));
        e = cloudTrail("s" + i, near, "GetSecretValue", users[rnd.nextInt(users.length)], "10.0.0." + rnd.nextInt(3));
      } else if (kind < falcoPercent + 12) {
        e = cloudTrail("k" + i, t, "CreateAccessKey", users[rnd.nextInt(users.length)], "10.0.0.9");
      } else if (kind >= 96) {
        // node-level evidence (no workload): a host alert links the alerts of the node's pods, a host line joins by
        // the node; the node role's routine call (cloud layer) joins only incidents with node-level evidence
        int which = rnd.nextInt(3);
        if (which == 2) {
          e = cloudTrail("r" + i, t, "GetAuthorizationToken", "role-" + node, "10.0.1." + (container % nodes));
          e.setEnrichment(dev.strata.schema.event.Enrichment.newBuilder().setNodeName(node).setRevision(0).build());
        } else {
          e = which == 0 ? falco("h" + i, t, node, null, null) : log("n" + i, t, node, null);
          e.setContainer(null);
        }
      } else {
        e = log("l" + i, t, node, c(container));
        if (images > 0) {
          e.setContainer(Container.newBuilder(e.getContainer()).setImageName("registry/app-" + rnd.nextInt(images))
              .build());
        }
      }
      if (rnd.nextInt(4) == 0) {
        e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid("444455556666").setRegion("us-east-1").build());
      }
      out.add(e);
    }
    return out;
  }

  /**
   * What a comparison covered: flushes, records, MERGED records, incidents rebuilt from all members and grown from
   * their parts, members replaced by a newer revision, incidents dissolved (links gone) and of those split.
   */
  record Coverage(int flushes, int emitted, int merged, long rebuilt, long grown, int replaced, long dissolved,
      long split) {}

  @Test
  void theIncrementalFlushEmitsWhatTheFullRegroupingEmits() throws Exception {
    IncidentSettings capped = new IncidentSettings(Duration.ofHours(2), 500, 5, Duration.ofMinutes(5), List.of(),
        null, 120);
    Coverage c = compareEveryFlush(40, (seed, rnd) -> seed % 3 == 0 ? capped : IncidentSettings.defaults().withWindow(
        Duration.ofMinutes(30 + rnd.nextInt(120))), rnd -> randomEvidence(rnd, 150 + rnd.nextInt(250)));
    // the comparison covered what it claims: many flushes, incidents written, merges seen, grown incidents mostly
    // assembled from their parts plus the change
    assertThat(c.flushes()).isGreaterThan(400);
    assertThat(c.emitted()).isGreaterThan(500);
    assertThat(c.merged()).isGreaterThan(10);
    assertThat(c.grown()).isGreaterThan(c.rebuilt());
  }

  /**
   * Escapes to hosts ({@link HostEscapes}): random evidence plus nsenter escapes in containers, the pods' own flows
   * and the nodes' own flows to a few public addresses (some named by the pods' flows, some not), at random times:
   * the escaped nodes' flows join incrementally as in the full regrouping, through evictions, merges and restores.
   */
  @Test
  void anEscapedHostsFlowsJoinAsInTheFullRegrouping() throws Exception {
    String[] addresses = {"203.0.113.99", "203.0.113.7", "198.51.100.50", "192.0.2.77"};
    int[] joined = new int[1];
    Coverage c = compareEveryFlush(24, (seed, rnd) -> IncidentSettings.defaults().withWindow(
        Duration.ofMinutes(30 + rnd.nextInt(120))), rnd -> {
          List<EvidenceEvent> out = randomEvidence(rnd, 120 + rnd.nextInt(150), 12, 3, 5, 0);
          int extra = 60 + rnd.nextInt(80);
          for (int i = 0; i < extra; i++) {
            Instant t = T0.plusSeconds(rnd.nextInt(12 * 3600));
            int container = rnd.nextInt(12);
            String node = "node-" + (container % 3);
            int kind = rnd.nextInt(10);
            if (kind == 0) {
              out.add(IncidentGrouperTest.setns("x" + i, t, node, c(container), "pod-" + container,
                  "nsenter -t 1 -m -u -i -n -p -- sh"));
            } else if (kind < 4) {
              out.add(IncidentGrouperTest.flow("p" + i, t, node, "pod-" + container, "10.0.9." + container,
                  addresses[rnd.nextInt(2)]));
            } else {
              EvidenceEvent q = IncidentGrouperTest.flow("q" + i, t, node, null, "10.0.8." + (container % 3),
                  addresses[rnd.nextInt(addresses.length)]);
              out.add(q);
              if (kind == 9) {
                // re-resolved later: the address was a pod's (SNAT'd, a host-network pod): it leaves as the node's
                out.add(EvidenceEvent.newBuilder(q).setEnrichment(dev.strata.schema.event.Enrichment.newBuilder(
                    q.getEnrichment()).setNamespace("shop").setPodName("pod-" + container).setRevision(1).build())
                    .build());
              }
            }
          }
          return out;
        }, inc -> {
          boolean escape = false;
          for (var row : inc.getTimeline()) escape |= row.getSignal() && row.getEventId().startsWith("x");
          if (!escape) return;
          for (var row : inc.getTimeline()) if (row.getEventId().startsWith("q")) joined[0]++;
        });
    assertThat(c.flushes()).isGreaterThan(200);
    assertThat(joined[0]).as("node flows in escaped incidents").isGreaterThan(50);
    assertThat(c.replaced()).as("node flows found to be a pod's").isGreaterThan(20);
    assertThat(c.merged()).isGreaterThan(10);
  }

  /**
   * Incidents past every cap of the record: more than {@link IncidentSettings#MAX_ENTITIES} entities (300 containers
   * and their pods on 1 node, linked by its host alerts, the images log lines name), more than {@link IncidentSettings#MAX_INDICATORS}
   * indicators (the image names), more than {@link IncidentSettings#MAX_STEP_EVENTS} signals of a stage (a quarter of
   * the events are alerts), and a
   * timeline cap of 3 to 60 rows (the earliest signals, then the earliest context).
   */
  @Test
  void theIncrementalFlushEmitsWhatTheFullRegroupingEmitsPastEveryCap() throws Exception {
    int[] maxima = new int[4];
    Coverage c = compareEveryFlush(5, (seed, rnd) -> IncidentSettings.defaults().withWindow(Duration.ofHours(4))
        .withTimelineCap(3 + rnd.nextInt(58)), rnd -> randomEvidence(rnd, 1000 + rnd.nextInt(200), 300, 1, 30, 100_000),
        inc -> {
          maxima[0] = Math.max(maxima[0], inc.getEntities().size());
          maxima[1] = Math.max(maxima[1], inc.getIndicators().size());
          for (var step : inc.getAttackPath()) maxima[2] = Math.max(maxima[2], step.getEventIds().size());
          maxima[3] = Math.max(maxima[3], inc.getTimelineOmitted());
        });
    assertThat(maxima[0]).as("entities").isEqualTo(IncidentSettings.MAX_ENTITIES);
    assertThat(maxima[1]).as("indicators").isEqualTo(IncidentSettings.MAX_INDICATORS);
    assertThat(maxima[2]).as("events of a stage").isEqualTo(IncidentSettings.MAX_STEP_EVENTS);
    assertThat(maxima[3]).as("timeline rows omitted").isGreaterThan(100);
    assertThat(c.grown()).isGreaterThan(c.rebuilt());
  }

  interface SettingsOf {
    IncidentSettings of(int seed, Random rnd);
  }

  static Coverage compareEveryFlush(int seeds, SettingsOf settingsOf,
      java.util.function.Function<Random, List<EvidenceEvent>> evidence) throws Exception {
    return compareEveryFlush(seeds, settingsOf, evidence, inc -> {});
  }

  /**
   * Feeds shuffled random evidence to an incremental engine and to the reference, flushes both at random points and
   * compares every flush's records byte for byte; the incremental engine is restarted over its stores now and then.
   */
  static Coverage compareEveryFlush(int seeds, SettingsOf settingsOf,
      java.util.function.Function<Random, List<EvidenceEvent>> evidence,
      java.util.function.Consumer<Incident> seen) throws Exception {
    int flushes = 0;
    int emitted = 0;
    int merged = 0;
    long rebuilt = 0;
    long grown = 0;
    int replaced = 0;
    long dissolved = 0;
    long split = 0;
    for (int seed = 1; seed <= seeds; seed++) {
      Random rnd = new Random(seed);
      IncidentSettings settings = settingsOf.of(seed, rnd);
      List<EvidenceEvent> events = evidence.apply(rnd);
      Collections.shuffle(events, rnd);
      keepRevisionOrder(events);
      IncidentEngine incremental = new IncidentEngine(settings);
      IncidentEngine reference = new IncidentEngine(settings);
      Map<String, InMemoryTenantStore> a = new TreeMap<>();
      Map<String, InMemoryTenantStore> b = new TreeMap<>();
      boolean watermarks = seed % 2 == 0;
      long maxTime = Long.MIN_VALUE;
      for (int i = 0; i < events.size(); i++) {
        EvidenceEvent e = events.get(i);
        String tenant = EntityKeys.tenant(e);
        Member before = a.computeIfAbsent(tenant, x -> new InMemoryTenantStore()).member(e.getEventId());
        boolean ca = incremental.accept(a.get(tenant), e);
        if (before != null && !before.equals(a.get(tenant).member(e.getEventId()))) replaced++;
        boolean cb = reference.accept(b.computeIfAbsent(tenant, x -> new InMemoryTenantStore()), e);
        assertThat(ca).isEqualTo(cb);
        maxTime = Math.max(maxTime, e.getTime().toEpochMilli() * 1000);
        if (rnd.nextInt(12) == 0 || i == events.size() - 1) {
          long wm = watermarks && i < events.size() - 1 ? maxTime - 3_600_000_000L * rnd.nextInt(3) : Long.MIN_VALUE;
          for (String t : a.keySet()) {
            List<Incident> x = sorted(incremental.flush(a.get(t), t, wm));
            List<Incident> y = sorted(reference.flushRegrouping(b.get(t), t, wm));
            assertThat(x).as("seed %d, flush after %d events, tenant %s", seed, i + 1, t)
                .extracting(Incident::toString).containsExactlyElementsOf(y.stream().map(Incident::toString).toList());
            assertThat(a.get(t).memberCount()).as("members kept, seed %d", seed).isEqualTo(b.get(t).memberCount());
            flushes++;
            emitted += x.size();
            merged += (int) x.stream().filter(inc -> inc.getStatus().name().equals("MERGED")).count();
            x.forEach(seen);
          }
          if (rnd.nextInt(10) == 0) { // a restore: the same stores, a new engine (index and parts rebuilt)
            long[] n = incremental.assemblies();
            rebuilt += n[1];
            grown += n[2];
            long[] r = incremental.regroupings();
            dissolved += r[0];
            split += r[1];
            incremental = new IncidentEngine(settings);
          }
        }
      }
      long[] n = incremental.assemblies();
      rebuilt += n[1];
      grown += n[2];
      long[] r = incremental.regroupings();
      dissolved += r[0];
      split += r[1];
    }
    return new Coverage(flushes, emitted, merged, rebuilt, grown, replaced, dissolved, split);
  }

  /** The revisions of one event (copies with its event id) put back in revision order, at the places they took. */
  static void keepRevisionOrder(List<EvidenceEvent> events) {
    Map<String, List<Integer>> at = new java.util.HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      at.computeIfAbsent(events.get(i).getEventId(), k -> new ArrayList<>(1)).add(i);
    }
    for (List<Integer> places : at.values()) {
      if (places.size() < 2) continue;
      List<EvidenceEvent> revs = new ArrayList<>();
      for (int i : places) revs.add(events.get(i));
      revs.sort(Comparator.comparingInt(e -> e.getEnrichment() == null ? 0 : e.getEnrichment().getRevision()));
      for (int k = 0; k < places.size(); k++) events.set(places.get(k), revs.get(k));
    }
  }

  @Test
  void aRestoredEngineRebuildsItsIndexFromTheStore() throws Exception {
    Random rnd = new Random(7);
    List<EvidenceEvent> events = randomEvidence(rnd, 300);
    IncidentSettings s = IncidentSettings.defaults();
    IncidentEngine before = new IncidentEngine(s);
    Map<String, InMemoryTenantStore> a = new TreeMap<>();
    for (EvidenceEvent e : events.subList(0, 150)) {
      before.accept(a.computeIfAbsent(EntityKeys.tenant(e), x -> new InMemoryTenantStore()), e);
    }
    for (var st : a.entrySet()) before.flush(st.getValue(), st.getKey(), Long.MIN_VALUE);
    // a restart: a new engine over the same (checkpointed) store
    IncidentEngine after = new IncidentEngine(s);
    IncidentEngine reference = new IncidentEngine(s);
    Map<String, InMemoryTenantStore> b = new TreeMap<>();
    for (EvidenceEvent e : events.subList(0, 150)) {
      reference.accept(b.computeIfAbsent(EntityKeys.tenant(e), x -> new InMemoryTenantStore()), e);
    }
    for (var st : b.entrySet()) reference.flushRegrouping(st.getValue(), st.getKey(), Long.MIN_VALUE);
    for (EvidenceEvent e : events.subList(150, 300)) {
      after.accept(a.computeIfAbsent(EntityKeys.tenant(e), x -> new InMemoryTenantStore()), e);
      reference.accept(b.computeIfAbsent(EntityKeys.tenant(e), x -> new InMemoryTenantStore()), e);
    }
    for (String t : a.keySet()) {
      assertThat(sorted(after.flush(a.get(t), t, Long.MIN_VALUE))).extracting(Incident::toString)
          .containsExactlyElementsOf(sorted(reference.flushRegrouping(b.get(t), t, Long.MIN_VALUE)).stream()
              .map(Incident::toString).toList());
    }
  }

  static List<Incident> sorted(List<Incident> in) {
    List<Incident> out = new ArrayList<>(in);
    out.sort(Comparator.comparing((Incident i) -> i.getIncidentId()).thenComparing(i -> i.getStatus().name()));
    return out;
  }
}
