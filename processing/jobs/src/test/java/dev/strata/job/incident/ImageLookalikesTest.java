package dev.strata.job.incident;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.detect.sigma.SigmaFixtures;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.parse.ChunkOutput;
import dev.strata.parse.ChunkParser;
import dev.strata.parse.ParserRegistry;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Typosquatted images ({@link ImageLookalikes}): the names the rule must catch and the real ones it must not, the
 * rule on events the real parsers made of hand-written fixtures (fixtures/image_lookalikes, see its README), and the
 * conformance run over every image the shared corpus and the scenarios name (read in place): zero hits.
 */
class ImageLookalikesTest {
  static final SignalRules RULES = SignalRules.defaults();

  static String imitated(String image) {
    return ImageLookalikes.judge(image);
  }

  @Test
  void lookalikesOfWellKnownNamesAreCaught() {
    assertThat(imitated("docker.io/library/ngnix:1.25")).isEqualTo("docker.io/library/nginx");
    assertThat(imitated("ngnix")).isEqualTo("docker.io/library/nginx");
    assertThat(imitated("alpline:3.19")).isEqualTo("docker.io/library/alpine");
    assertThat(imitated("ubunto:24.04")).isEqualTo("docker.io/library/ubuntu");
    assertThat(imitated("docker.io/library/pyth0n:3.12")).isEqualTo("docker.io/library/python");
    assertThat(imitated("docker.io/bitnarni/redis:7.2")).as("rn for m").isEqualTo("docker.io/bitnami");
    assertThat(imitated("bitnamii/postgresql")).isEqualTo("docker.io/bitnami");
    assertThat(imitated("docker-library/redis:7")).as("posing as the official images").isEqualTo("docker.io/library/redis");
    assertThat(imitated("officialimages/redis-server")).as("posing, with a lookalike repository")
        .isEqualTo("docker.io/library/redis");
    assertThat(imitated("k8s-gcr.io/kube-proxy:v1.29.0")).isEqualTo("k8s.gcr.io");
    assertThat(imitated("registry.k8s.io.evil.example/pause")).isNull(); // another registry altogether: not judged
    assertThat(imitated("registry-k8s.io/pause:3.9")).isEqualTo("registry.k8s.io");
    assertThat(imitated("gcr.io/googlecontainers/pause")).isEqualTo("gcr.io/google-containers");
    assertThat(imitated("gcr.io/goog1e-containers/busybox")).isEqualTo("gcr.io/google-containers");
    assertThat(imitated("public-ecr.aws/eks/kube-proxy")).isEqualTo("public.ecr.aws");
    assertThat(imitated("public.ecr.aws/eks-dlstro/kubernetes/pause")).isEqualTo("public.ecr.aws/eks-distro");
    assertThat(imitated("quay.io/prometheus-0perator/prometheus-operator")).isEqualTo("quay.io/prometheus-operator");
    assertThat(imitated("quay.lo/coreos/etcd")).isEqualTo("quay.io");
    assertThat(imitated("docker-pullable://dockerr.io/library/nginx@sha256:" + "ab".repeat(32))).isEqualTo("docker.io");
  }

  @Test
  void realNamesArePassed() {
    for (String real : List.of("nginx", "nginx:1.27-alpine", "docker.io/library/alpine:3.20", "mono", "mongo:7",
        "ubuntu@sha256:" + "cd".repeat(32), "bitnami/redis:7.2", "docker.io/bitnami/postgresql:16",
        "gcr.io/google-containers/busybox:latest", "gcr.io/google_containers/pause:3.1", "gcr.io/distroless/static",
        "k8s.gcr.io/pause:3.2", "registry.k8s.io/kube-proxy:v1.30.0", "us.gcr.io/k8s-artifacts-prod/x",
        "public.ecr.aws/eks/aws-load-balancer-controller:v2.8.1", "public.ecr.aws/eks-distro/kubernetes/pause:3.9",
        "quay.io/prometheus/node-exporter:v1.8.1", "quay.io/isovalent/jobs-app-coreapi:latest", "ghcr.io/someone/tool",
        "mcr.microsoft.com/dotnet/runtime:8.0", "amazon/aws-for-fluent-bit:latest",
        // an account's own registry: its names are its own, whatever they look like
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/ngnix:1.0", "111111111111.dkr.ecr.us-east-1.amazonaws.com/alpline",
        "999999999999.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web", "444455556666.dkr.ecr.cn-north-1.amazonaws.com.cn/a",
        // a private registry's names, a stranger's namespace, ids
        "registry.example.com/shop/alpline:2", "localhost/myshdemo:latest", "localhost:5000/ngnix", "someone/nginx-curl",
        "nrdlngr/nginx-curl", "devtoolz/node-builder:18", "577149231a20", "sha256:" + "ef".repeat(32), "<NA>")) {
      assertThat(imitated(real)).as(real).isNull();
    }
  }

  @Test
  void foldingAndOneEdit() {
    assertThat(ImageLookalikes.fold("bitnarni")).isEqualTo(ImageLookalikes.fold("bitnami"));
    assertThat(ImageLookalikes.fold("k8s-gcr.io")).isEqualTo(ImageLookalikes.fold("k8s.gcr.io"));
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("ngnix", "nginx")).isTrue();
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("alpline", "alpine")).isTrue();
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("ubunto", "ubuntu")).isTrue();
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("nginx", "nginx")).isFalse();
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("nignx", "nginx")).isTrue();
    assertThat(ImageLookalikes.damerauLevenshteinAtMostOne("ngx", "nginx")).isFalse();
    // short names are judged folded only: one edit of a 4-character name is another real name too often
    assertThat(ImageLookalikes.lookalike("nodes", ImageLookalikes.OFFICIAL, 5)).isNull();
  }

  static List<EvidenceEvent> parse(Path dir, boolean deadLettersFail) throws Exception {
    ChunkParser parser = new ChunkParser(ParserRegistry.defaults());
    List<EvidenceEvent> events = new ArrayList<>();
    ChunkOutput out = new ChunkOutput() {
      @Override
      public void event(EvidenceEvent e) {
        events.add(e);
      }

      @Override
      public void deadLetter(DeadLetter d) {
        if (deadLettersFail) throw new AssertionError("dead-lettered: " + d.getReason());
      }
    };
    for (RawArtifactChunk c : SigmaFixtures.chunks(dir)) parser.parse(c, out);
    return events;
  }

  static Path fixtures() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path f = p.resolve("src/test/resources/fixtures/image_lookalikes");
      if (Files.isDirectory(f)) return f;
    }
    throw new IllegalStateException("fixtures/image_lookalikes not found");
  }

  @Test
  void anEventNamingATyposquattedImageIsAMediumEntrySignal() throws Exception {
    List<EvidenceEvent> events = parse(fixtures(), true);
    Map<String, String> signals = new TreeMap<>();
    for (EvidenceEvent e : events) {
      Signal s = RULES.classify(e);
      String what = e.getSourceFormat() + " " + e.getTime();
      if (s != null && s.reason().contains(ImageLookalikes.REASON)) {
        assertThat(s.stage()).as(what).isEqualTo(AttackStage.ENTRY);
        signals.put(what, s.reason() + " " + s.severityId());
      }
    }
    assertThat(signals).containsOnly(
        // the pod of ngnix (its busybox init container is real)
        Map.entry("k8s_audit 2026-11-20T09:00:00Z", "typosquat_image 3"),
        // the DaemonSet's pod template from k8s-gcr.io
        Map.entry("k8s_audit 2026-11-20T09:05:00Z", "typosquat_image 3"),
        // the container's first process only (started by the shim); the process it started is no signal
        Map.entry("tetragon_event 2026-11-20T09:20:01Z", "typosquat_image 3"),
        // a Notice alert (context by itself) from a container of public-ecr.aws
        Map.entry("falco_alert 2026-11-20T09:30:00Z", "typosquat_image 3"));
    // the pod of real names only (09:10: an account's ECR "ngnix", a private registry's "alpline", ...) is none
  }

  @Test
  void withAnotherSignalTheReasonsAreJoinedAndTheHigherSeverityKept() {
    Signal alert = new Signal(AttackStage.EXECUTION, 4, "alert");
    Signal image = new Signal(AttackStage.ENTRY, 3, ImageLookalikes.REASON);
    assertThat(ImageLookalikes.with(alert, image)).isEqualTo(new Signal(AttackStage.EXECUTION, 4, "alert; typosquat_image"));
    assertThat(ImageLookalikes.with(null, image)).isEqualTo(image);
    assertThat(ImageLookalikes.with(alert, null)).isEqualTo(alert);
  }

  /**
   * Conformance: every image the shared corpus and the scenarios name (read in place, every file the collector
   * recognises) is judged, and none is a lookalike; no event of theirs is a typosquat_image signal.
   */
  @Test
  void noImageOfTheCorpusOrTheScenariosIsALookalike() throws Exception {
    Path corpus = Path.of("/work/shared/corpus");
    Assumptions.assumeTrue(Files.isDirectory(corpus), "the shared corpus is not on this machine");
    Path scenarios = null;
    for (Path p = Path.of("").toAbsolutePath(); p != null && scenarios == null; p = p.getParent()) {
      Path s = p.resolve("cli/src/test/resources/scenarios");
      if (Files.isDirectory(s)) scenarios = s;
    }
    assertThat(scenarios).as("the scenarios' bundles").isNotNull();
    TreeSet<String> images = new TreeSet<>();
    TreeSet<String> hits = new TreeSet<>();
    int events = 0;
    for (Path dir : List.of(corpus, scenarios)) {
      for (EvidenceEvent e : parse(dir, false)) {
        events++;
        for (String image : ImageLookalikes.images(e)) {
          images.add(image);
          String like = ImageLookalikes.judge(image);
          if (like != null) hits.add(image + " -> " + like);
        }
        Signal s = RULES.classify(e);
        if (s != null && s.reason().contains(ImageLookalikes.REASON)) hits.add(e.getSourceFormat() + " " + e.getEventId());
      }
    }
    assertThat(events).isGreaterThan(1000);
    // the run judged the names it was meant to: the official, Bitnami, k8s, Quay, GCR, ECR and private ones
    assertThat(images).as("images named").hasSizeGreaterThan(40)
        .contains("gcr.io/google-containers/busybox:latest", "quay.io/prometheus/node-exporter:v1.8.1",
            "registry.k8s.io/pause:3.1");
    assertThat(hits).as("lookalikes among " + images.size() + " images").isEmpty();
  }
}
