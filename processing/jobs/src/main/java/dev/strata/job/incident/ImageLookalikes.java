package dev.strata.job.incident;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.job.incident.SignalRules.Signal;
import dev.strata.schema.correlate.AttackStage;
import dev.strata.schema.event.EvidenceEvent;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Typosquatted images (entry stage, {@code typosquat_image}, Medium): an image whose registry, namespace or official
 * repository name imitates a well-known one -- {@code docker.io/library/ngnix}, {@code alpline}, {@code ubunto},
 * {@code docker.io/bitnarni/...}, {@code k8s-gcr.io}, {@code public-ecr.aws}, {@code gcr.io/googlecontainers}, a
 * namespace posing as Docker's official images ({@code docker-library/redis}) -- pulled by mistake or planted in a
 * manifest (ATT&amp;CK T1195.002, T1036.005).
 *
 * <p>Built not to fire on real names: a name is judged only against curated lists of what is trusted (the Docker Hub
 * official images, well-known Hub / Quay / GCR / ECR Public namespaces, the public registries), it is a lookalike
 * only when it is <b>not</b> any listed name and is one edit away from one (Damerau-Levenshtein 1: an inserted,
 * dropped, changed or swapped character; names of 5 characters and more, registries of 9 and more) or the same name
 * once homoglyphs and separators are folded ({@code 0}/{@code o}, {@code 1}/{@code l}/{@code i}, {@code rn}/{@code
 * m}, {@code vv}/{@code w}; {@code -}, {@code _}, {@code .} dropped). A registry that is neither listed nor a
 * lookalike of one is a private registry: its names are its own and never judged (an account's ECR {@code
 * <account>.dkr.ecr.<region>.amazonaws.com/<repo>}, {@code registry.example.com/shop/web}); a stranger's namespace on
 * Docker Hub is not judged either ({@code someone/nginx-curl} is how half of Hub is named) unless the namespace itself
 * imitates a trusted one or poses as the official images.
 *
 * <p>Where images are named: the container's image ({@code container.image_name}: container state -- Docker's
 * config.v2.json and inspect, crictl, Podman --, runtime events and daemon logs, ECS task metadata, Falco's and
 * Tetragon's container image, SBOM and scan subjects), Docker / Podman event attributes, dockerd's logged create
 * request, and the {@code image} fields of the JSON objects an event carries (an audit record's pod or workload spec,
 * a pods snapshot, a CloudTrail {@code RegisterTaskDefinition}'s container definitions). Not container logs (every
 * line names its container's image) and, of Tetragon, only a container's first process (a {@code process_exec} whose
 * parent is no process of a pod: the runtime started it), so one container is a handful of signals, not one per
 * event. With another signal on the same event the reasons are joined and the higher severity kept; an incident's
 * severity is its highest signal's, so a typosquatted image with a miner in it is the miner's High, not this rule's.
 */
public final class ImageLookalikes implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String REASON = "typosquat_image";
  static final int SEVERITY = 3;

  /** The public registries: a registry one edit from one of them (or equal once folded) is a lookalike. */
  static final Set<String> REGISTRIES = names("docker.io", "index.docker.io", "registry-1.docker.io",
      "registry.hub.docker.com", "quay.io", "gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io", "k8s.gcr.io",
      "registry.k8s.io", "public.ecr.aws", "ghcr.io", "mcr.microsoft.com", "registry.gitlab.com", "docker.elastic.co",
      "registry.redhat.io", "registry.access.redhat.com", "cgr.dev", "nvcr.io", "gallery.ecr.aws",
      "docker.pkg.github.com", "us-docker.pkg.dev", "europe-docker.pkg.dev", "asia-docker.pkg.dev", "registry.suse.com",
      "container-registry.oracle.com", "lscr.io", "mirror.gcr.io");

  /** Docker Hub's official images (docker.io/library/...), as docker-library/official-images lists them. */
  static final Set<String> OFFICIAL = names("adminer", "aerospike", "almalinux", "alpine", "alt", "amazoncorretto",
      "amazonlinux", "api-firewall", "arangodb", "archlinux", "backdrop", "bash", "bonita", "buildpack-deps", "busybox",
      "caddy", "cassandra", "chronograf", "cirros", "clearlinux", "clickhouse", "clojure", "composer", "consul",
      "convertigo", "couchbase", "couchdb", "crate", "dart", "debian", "docker", "drupal", "eclipse-mosquitto",
      "eclipse-temurin", "eggdrop", "elasticsearch", "elixir", "emqx", "erlang", "fedora", "flink", "fluentd",
      "friendica", "gazebo", "gcc", "geonetwork", "ghost", "golang", "gradle", "groovy", "haproxy", "haskell", "haxe",
      "hello-world", "hitch", "httpd", "hylang", "ibm-semeru-runtimes", "ibmjava", "influxdb", "irssi", "jetty", "joomla",
      "jruby", "julia", "kapacitor", "kibana", "kong", "krakend", "lightstreamer", "liquibase", "logstash", "mageia",
      "mariadb", "matomo", "maven", "mediawiki", "memcached", "mongo", "mongo-express", "monica", "mono", "mysql",
      "nats", "neo4j", "neurodebian", "nextcloud", "nginx", "node", "notary", "odoo", "open-liberty", "openjdk",
      "oraclelinux", "orientdb", "percona", "perl", "photon", "php", "php-zendserver", "phpmyadmin", "plone",
      "postfixadmin", "postgres", "powershell", "pypy", "python", "r-base", "rabbitmq", "rakudo-star", "redis",
      "redmine", "registry", "rethinkdb", "rocket.chat", "rockylinux", "ros", "ruby", "rust", "sapmachine", "satosa",
      "silverpeas", "sl", "solr", "sonarqube", "spark", "spiped", "storm", "swift", "swipl", "teamspeak", "telegraf",
      "tomcat", "tomee", "traefik", "ubuntu", "unit", "varnish", "websphere-liberty", "wordpress", "xwiki", "yourls",
      "znc", "zookeeper", "centos", "java", "jenkins", "kaazing-gateway", "nuxeo", "owncloud", "piwik", "rapidoid",
      "sentry", "sourcemage", "thrift", "ubuntu-debootstrap", "ubuntu-upstart", "vault", "opensuse", "jobber", "iojs",
      "glassfish", "express-gateway", "django", "rails", "celery", "docker-dev", "scratch", "mongodb", "postgresql",
      "elastic", "apache", "node-red");

  /** Docker Hub namespaces of well-known publishers. */
  static final Set<String> HUB_NAMESPACES = names("library", "bitnami", "bitnamicharts", "bitnamilegacy", "docker",
      "amazon", "amazonlinux", "ubuntu", "grafana", "prom", "hashicorp", "jenkins", "rancher", "portainer", "traefik",
      "circleci", "cimg", "gitlab", "elastic", "confluentinc", "nginxinc", "redislabs", "mongodb", "apache", "kong",
      "envoyproxy", "istio", "calico", "cilium", "kindest", "minio", "localstack", "selenium", "jetbrains", "datadog",
      "newrelic", "sonatype", "google", "atlassian", "percona", "postgis", "timescale", "linuxserver", "curlimages",
      "openpolicyagent", "fluent", "falcosecurity", "aquasec", "anchore", "bats", "alpine", "busybox", "mcr",
      "microsoft", "openjdk", "eclipse", "tensorflow", "pytorch", "nvidia", "jupyter", "bitwarden", "vmware",
      "weaveworks", "openzipkin", "jaegertracing", "otel", "bitnamisecure", "chainguard", "dynatrace", "sumologic",
      "splunk", "couchbase", "neo4j", "cockroachdb", "vault", "consul", "hashicorp", "coredns", "wurstmeister",
      "dpage", "adminer", "containrrr", "linkerd", "argoproj", "goharbor", "harbor", "registry", "moby", "tonistiigi");

  /** quay.io organisations. */
  static final Set<String> QUAY_NAMESPACES = names("coreos", "prometheus", "prometheus-operator", "jetstack", "cilium",
      "calico", "tigera", "argoproj", "minio", "keycloak", "strimzi", "isovalent", "quay", "openshift", "redhat",
      "kiwigrid", "brancz", "thanos", "bitnami", "metallb", "fluentd_elasticsearch", "kubevirt", "operator-framework",
      "oauth2-proxy", "containers", "podman", "buildah", "skopeo", "ceph", "rook", "cephcsi", "k8scsi", "kubernetes-ingress-controller",
      "opstree", "jupyter", "biocontainers", "centos", "fedora", "openebs", "velero", "prometheuscommunity",
      "external_storage", "grafana", "elastic", "frrouting", "podman", "kuberay", "prometheus-community");

  /** gcr.io projects. */
  static final Set<String> GCR_PROJECTS = names("google-containers", "google_containers", "distroless",
      "k8s-artifacts-prod", "kubebuilder", "google-samples", "cloud-builders", "google.com", "gke-release",
      "kaniko-project", "tekton-releases", "knative-releases", "istio-release", "ml-pipeline", "kubeflow-images-public",
      "spark-operator", "cloudsql-docker", "cloud-marketplace", "gke-on-prem-release", "stackdriver-agents",
      "k8s-staging-test-infra", "kubernetes-e2e-test-images", "heptio-images", "linkerd-io", "datadoghq",
      "jenkinsxio", "arrikto", "google-appengine", "cadvisor", "etcd-development", "k8s-minikube");

  /** public.ecr.aws aliases. */
  static final Set<String> ECR_PUBLIC_ALIASES = names("eks", "eks-distro", "eks-distro-build-tooling",
      "eks-anywhere", "amazonlinux", "docker", "bitnami", "aws-observability", "karpenter", "aws-ec2", "ecs",
      "lambda", "aws-cli", "nginx", "aws-containers", "aws-appmesh", "xray", "cloudwatch-agent", "aws-xray",
      "amazon-ssm-agent", "aws-guardduty-agent", "aws-secrets-manager", "ebs-csi-driver", "efs-csi-driver",
      "aws-load-balancer-controller", "sam", "aws-lambda-adapter", "ubuntu", "debian", "datadog", "gravitational",
      "bottlerocket", "aws-network-policy-agent", "vpc-cni", "kubecost", "aws-controllers-k8s", "aws-dynamodb-local",
      "aws-mwaa-local-runner", "compose-x", "prometheus", "grafana", "unocha", "aws-cloudwatch", "cloudwatch",
      "elastic", "docker-library", "localstack", "hashicorp", "f4l9x4b5", "j1j2k5a2");

  /** A list as a set (a name listed twice is harmless). */
  private static Set<String> names(String... names) {
    return Set.copyOf(java.util.Arrays.asList(names));
  }

  private static final Pattern PRIVATE_ECR = Pattern.compile(
      "\\d{12}\\.dkr(-fips)?\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?(:\\d+)?");
  private static final Pattern HEX_ID = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");
  /** Namespaces that pose as Docker's own official images ({@code library} itself is the real one). */
  private static final Pattern POSING_AS_OFFICIAL = Pattern.compile(
      "(docker[-_.]?)?(official|officials|libraries|librarys|official[-_.]?images?|docker[-_.]?library|"
          + "library[-_.]?(official|images?)|official[-_.]?library)");

  /** The formats whose events name an image as a state, a create or an inventory (not every log line). */
  static final Set<String> IMAGE_SOURCES = Set.of("docker_container_config", "docker_inspect", "crictl_inspect",
      "podman_containers_json", "podman_events", "docker_events", "docker_daemon_log", "containerd_daemon_log",
      "crio_daemon_log", "aws_ecs_task_metadata", "k8s_pod", "k8s_audit", "aws_cloudtrail", "falco_alert",
      "tetragon_event", "oci_runtime_config", "cyclonedx_sbom", "spdx_sbom", "syft_sbom", "grype_scan", "trivy_scan");

  /** unmapped keys that hold an image reference. */
  private static final Set<String> IMAGE_KEYS = Set.of("attributes.image", "dockerd.form.image",
      "dockerd.created_by.image", "metadata.image-name", "output_fields.container.image.repository",
      "output_fields.container.image", "image.repo_tags", "parent.pod.container.image.name");
  /** unmapped keys that hold a JSON object whose {@code image} fields name images. */
  private static final Set<String> JSON_KEYS = Set.of("requestObject", "responseObject", "k8s.object",
      "requestParameters", "responseElements");

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Per image reference, what it imitates ("" = nothing): the same few names recur in every event. */
  private transient Map<String, String> verdicts;

  /** The rule with its curated lists. */
  public static ImageLookalikes defaults() {
    return new ImageLookalikes();
  }

  /** The signal of an event naming a typosquatted image, or null. */
  public Signal classify(EvidenceEvent e) {
    String f = e.getSourceFormat() == null ? "" : e.getSourceFormat();
    if (!IMAGE_SOURCES.contains(f)) return null;
    if (f.equals("tetragon_event") && !containerStart(e)) return null;
    for (String image : images(e)) {
      if (imitated(image) != null) return new Signal(AttackStage.ENTRY, SEVERITY, REASON);
    }
    return null;
  }

  /** {@code rules}' signal with this rule's: the reasons joined, the higher severity, the earlier stage kept. */
  static Signal with(Signal rules, Signal image) {
    if (image == null) return rules;
    if (rules == null) return image;
    return new Signal(rules.stage(), Math.max(rules.severityId(), image.severityId()), rules.reason() + "; " + image.reason());
  }

  /** A Tetragon exec whose parent is no process of a pod: the container's first process (or a runtime exec). */
  private static boolean containerStart(EvidenceEvent e) {
    Map<String, String> u = e.getUnmapped();
    if (u == null || !"process_exec".equals(u.get("event_type"))) return false;
    for (String k : u.keySet()) if (k.startsWith("parent.pod.")) return false;
    return true;
  }

  /** Every image reference the event names (see the class doc). */
  static List<String> images(EvidenceEvent e) {
    List<String> out = new ArrayList<>(2);
    if (e.getContainer() != null && e.getContainer().getImageName() != null) out.add(e.getContainer().getImageName());
    Map<String, String> u = e.getUnmapped();
    if (u == null) return out;
    for (String k : IMAGE_KEYS) {
      String v = u.get(k);
      if (v != null && !v.isBlank()) {
        for (String s : v.split("[,\\s]+")) if (!s.isBlank()) out.add(s);
      }
    }
    for (String k : JSON_KEYS) {
      String v = u.get(k);
      if (v == null || !v.contains("\"image\"")) continue;
      try {
        collect(JSON.readTree(v), out, 0);
      } catch (Exception ex) {
        // not JSON: nothing named
      }
    }
    return out;
  }

  private static void collect(JsonNode n, List<String> out, int depth) {
    if (n == null || depth > 12) return;
    if (n.isObject()) {
      JsonNode image = n.get("image");
      if (image != null && image.isTextual()) out.add(image.asText());
      n.elements().forEachRemaining(c -> collect(c, out, depth + 1));
    } else if (n.isArray()) {
      n.elements().forEachRemaining(c -> collect(c, out, depth + 1));
    }
  }

  /** What {@code image} imitates ({@code registry}, {@code registry/namespace}, ...), or null when it is no lookalike. */
  public String imitated(String image) {
    if (image == null) return null;
    Map<String, String> verdicts = this.verdicts;
    if (verdicts == null) this.verdicts = verdicts = new ConcurrentHashMap<>(); // transient: after a deserialization
    String cached = verdicts.get(image);
    if (cached == null) {
      String v = judge(image);
      cached = v == null ? "" : v;
      if (verdicts.size() > 10_000) verdicts.clear();
      verdicts.put(image, cached);
    }
    return cached.isEmpty() ? null : cached;
  }

  /** The verdict without the cache (see {@link #imitated}). */
  static String judge(String reference) {
    String ref = reference.trim().toLowerCase(Locale.ROOT);
    for (String scheme : List.of("docker-pullable://", "docker://", "docker.io://")) {
      if (ref.startsWith(scheme)) ref = ref.substring(scheme.length());
    }
    int at = ref.indexOf('@');
    if (at >= 0) ref = ref.substring(0, at);
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) ref = ref.substring(0, colon);
    if (ref.isEmpty() || ref.startsWith("<") || HEX_ID.matcher(ref).matches()) return null; // Falco's <NA>, an image id
    String[] parts = ref.split("/");
    String registry;
    int first;
    if (parts.length > 1 && (parts[0].contains(".") || parts[0].contains(":") || parts[0].equals("localhost"))) {
      registry = parts[0];
      first = 1;
    } else {
      registry = "docker.io";
      first = 0;
    }
    if (PRIVATE_ECR.matcher(registry).matches()) return null; // an account's own registry: its names are its own
    if (!REGISTRIES.contains(registry)) {
      String like = lookalike(registry, REGISTRIES, 9);
      return like == null ? null : like; // else a private registry: not judged
    }
    if (first >= parts.length) return null;
    boolean hub = registry.equals("docker.io") || registry.equals("index.docker.io")
        || registry.equals("registry-1.docker.io") || registry.equals("registry.hub.docker.com");
    String ns = parts[first];
    String repo = first + 1 < parts.length ? parts[first + 1] : null;
    if (hub) {
      if (repo == null) { // docker.io/nginx = docker.io/library/nginx
        repo = ns;
        ns = "library";
      }
      if (ns.equals("library")) {
        if (OFFICIAL.contains(repo)) return null;
        String like = lookalike(repo, OFFICIAL, 5);
        return like == null ? null : "docker.io/library/" + like;
      }
      if (HUB_NAMESPACES.contains(ns)) return null;
      String like = lookalike(ns, HUB_NAMESPACES, 5);
      if (like != null) return "docker.io/" + like;
      if (POSING_AS_OFFICIAL.matcher(ns).matches()) {
        String official = officialLike(repo);
        if (official != null) return "docker.io/library/" + official;
      }
      return null; // a stranger's namespace: not judged
    }
    Set<String> trusted = switch (registry) {
      case "quay.io" -> QUAY_NAMESPACES;
      case "gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io" -> GCR_PROJECTS;
      case "public.ecr.aws" -> ECR_PUBLIC_ALIASES;
      default -> null; // registry.k8s.io, k8s.gcr.io: the project's own; ghcr.io, mcr...: not judged below the registry
    };
    if (trusted == null || trusted.contains(ns)) return null;
    String like = lookalike(ns, trusted, 5);
    return like == null ? null : registry + "/" + like;
  }

  /**
   * The official image a repository under a namespace posing as the official ones passes for: the name itself, a
   * lookalike of it, or it with a suffix ({@code redis-server}, {@code nginx_official}); null for anything else.
   */
  private static String officialLike(String repo) {
    if (OFFICIAL.contains(repo)) return repo;
    String like = lookalike(repo, OFFICIAL, 5);
    if (like != null) return like;
    for (int i = 0; i < repo.length(); i++) {
      char c = repo.charAt(i);
      if ((c == '-' || c == '_') && i >= 3 && OFFICIAL.contains(repo.substring(0, i))) return repo.substring(0, i);
    }
    return null;
  }

  /**
   * The listed name {@code name} imitates, or null: not listed itself, and the same as a listed name once folded
   * ({@link #fold}), or one edit from it when the listed name has at least {@code minLength} characters.
   */
  static String lookalike(String name, Set<String> listed, int minLength) {
    if (listed.contains(name)) return null;
    String folded = fold(name);
    String best = null;
    for (String l : listed) {
      boolean like = folded.equals(fold(l)) || (l.length() >= minLength && damerauLevenshteinAtMostOne(name, l));
      if (like && (best == null || l.compareTo(best) < 0)) best = l;
    }
    return best;
  }

  /** Homoglyphs to one character, separators dropped: what a reader's eye does not tell apart. */
  static String fold(String s) {
    StringBuilder b = new StringBuilder(s.length());
    String t = s.replace("rn", "m").replace("vv", "w");
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      switch (c) {
        case '-', '_', '.' -> {}
        case '0' -> b.append('o');
        case '1', 'i', '|' -> b.append('l');
        case '3' -> b.append('e');
        case '5' -> b.append('s');
        case '@' -> b.append('a');
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Whether {@code a} and {@code b} differ by exactly one insertion, deletion, substitution or adjacent swap. */
  static boolean damerauLevenshteinAtMostOne(String a, String b) {
    if (a.equals(b)) return false;
    int la = a.length();
    int lb = b.length();
    if (Math.abs(la - lb) > 1) return false;
    int i = 0;
    while (i < Math.min(la, lb) && a.charAt(i) == b.charAt(i)) i++;
    if (la == lb) {
      if (a.substring(i + 1).equals(b.substring(i + 1))) return true; // one substitution
      return i + 1 < la && a.charAt(i) == b.charAt(i + 1) && a.charAt(i + 1) == b.charAt(i)
          && a.substring(i + 2).equals(b.substring(i + 2)); // one adjacent swap
    }
    return la > lb ? a.substring(i + 1).equals(b.substring(i)) : b.substring(i + 1).equals(a.substring(i));
  }
}
