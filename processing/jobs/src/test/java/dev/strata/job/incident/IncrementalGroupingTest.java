package dev.strata.job.incident;

import static dev.strata.job.incident.IncidentGrouperTest.T0;
import static dev.strata.job.incident.IncidentGrouperTest.c;
import static dev.strata.job.incident.IncidentGrouperTest.cloudTrail;
import static dev.strata.job.incident.IncidentGrouperTest.falco;
import static dev.strata.job.incident.IncidentGrouperTest.log;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.correlate.Incident;
import dev.strata.schema.event.Cloud;
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
 * The incremental flush ({@link IncidentEngine#flush}, {@link TenantIndex}) against the full regrouping it replaced
 * ({@link IncidentEngine#flushRegrouping}): random evidence (Falco alerts and log lines on containers of shared nodes,
 * GetSecretValue bursts and CreateAccessKey calls, two tenants), shuffled, flushed at random points with and without
 * a watermark (so sealing, retention and the member cap evict): every flush emits the same incident records,
 * revisions and MERGED tombstones, and the stores end the same. Synthetic events from IncidentGrouperTest's builders.
 */
class IncrementalGroupingTest {

  static List<EvidenceEvent> randomEvidence(Random rnd, int n) {
    List<EvidenceEvent> out = new ArrayList<>(n);
    String[] users = {"dave", "erin", "frank"};
    for (int i = 0; i < n; i++) {
      Instant t = T0.plusSeconds(rnd.nextInt(12 * 3600));
      int container = rnd.nextInt(40);
      String node = "node-" + (container % 7);
      int kind = rnd.nextInt(100);
      EvidenceEvent e;
      if (kind < 7) {
        e = falco("f" + i, t, node, c(container), "pod-" + container);
      } else if (kind < 17) {
        // bursts: calls of one user close together
        Instant near = T0.plusSeconds(3600L * rnd.nextInt(12) + rnd.nextInt(400));
        e = cloudTrail("s" + i, near, "GetSecretValue", users[rnd.nextInt(users.length)], "10.0.0." + rnd.nextInt(3));
      } else if (kind < 19) {
        e = cloudTrail("k" + i, t, "CreateAccessKey", users[rnd.nextInt(users.length)], "10.0.0.9");
      } else {
        e = log("l" + i, t, node, c(container));
      }
      if (rnd.nextInt(4) == 0) {
        e.setCloud(Cloud.newBuilder().setProvider("aws").setAccountUid("444455556666").setRegion("us-east-1").build());
      }
      out.add(e);
    }
    return out;
  }

  @Test
  void theIncrementalFlushEmitsWhatTheFullRegroupingEmits() throws Exception {
    IncidentSettings capped = new IncidentSettings(Duration.ofHours(2), 500, 5, Duration.ofMinutes(5), List.of(),
        null, 120);
    int flushes = 0;
    int emitted = 0;
    int merged = 0;
    for (int seed = 1; seed <= 40; seed++) {
      Random rnd = new Random(seed);
      IncidentSettings settings = seed % 3 == 0 ? capped : IncidentSettings.defaults().withWindow(
          Duration.ofMinutes(30 + rnd.nextInt(120)));
      List<EvidenceEvent> events = randomEvidence(rnd, 150 + rnd.nextInt(250));
      Collections.shuffle(events, rnd);
      IncidentEngine incremental = new IncidentEngine(settings);
      IncidentEngine reference = new IncidentEngine(settings);
      Map<String, InMemoryTenantStore> a = new TreeMap<>();
      Map<String, InMemoryTenantStore> b = new TreeMap<>();
      boolean watermarks = seed % 2 == 0;
      long maxTime = Long.MIN_VALUE;
      for (int i = 0; i < events.size(); i++) {
        EvidenceEvent e = events.get(i);
        String tenant = EntityKeys.tenant(e);
        boolean ca = incremental.accept(a.computeIfAbsent(tenant, x -> new InMemoryTenantStore()), e);
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
          }
        }
      }
    }
    // the comparison covered what it claims: many flushes, incidents written, merges seen
    assertThat(flushes).isGreaterThan(400);
    assertThat(emitted).isGreaterThan(500);
    assertThat(merged).isGreaterThan(10);
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
