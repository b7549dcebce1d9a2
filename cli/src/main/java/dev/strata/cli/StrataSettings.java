package dev.strata.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import dev.strata.ingest.recognize.VpcFlowLogFormats;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where strata finds its services. Resolved, highest precedence first, from command-line options, environment
 * variables ({@code STRATA_KAFKA_BOOTSTRAP} ...), and a YAML file ({@code --config} or {@code $STRATA_CONFIG}):
 *
 * <pre>
 * kafka:
 *   bootstrap_servers: ${KAFKA_BROKERS}      # ${ENV} is substituted
 *   properties: {security.protocol: SSL}     # passed through to every Kafka client
 * opensearch:
 *   url: http://localhost:9200
 * agent:                                   # strata agent (env STRATA_AGENT_<KEY>)
 *   collector_id: node-a
 *   globs: [var/log/pods/*&#47;*&#47;*.log]
 * receive:                                 # strata receive (env STRATA_RECEIVE_<KEY>)
 *   port: 8470
 *   token: ${RECEIVER_TOKEN}               # never printed
 * s3:
 *   endpoint: http://localhost:9000          # omit for AWS S3
 *   region: us-east-1
 *   bucket: strata-evidence
 *   access_key: ...
 *   secret_key: ${S3_SECRET}
 * incident:                                # strata incidents / demo (env STRATA_INCIDENT_<KEY>)
 *   sigma_rules: [/etc/strata/sigma]       # Sigma rule files or directories (default none); --sigma-rules
 *   sigma_min_level: medium                # lowest level that opens incidents; --sigma-min-level
 *   known_cidrs: [198.51.100.0/24]         # the organisation's own public ranges (NAT, VPN): read by the incident
 *                                          # and the correlation jobs (env STRATA_INCIDENT_KNOWN_CIDRS, comma-separated)
 *   deployer_namespaces: [defaults, platform-deploy]  # service accounts that create workloads in other namespaces
 *                                          # by design (not judged); the item 'defaults' is the default list (kube-system,
 *                                          # argocd, flux-system, ...): with it the list adds, without it replaces
 *   exec_audit_bound: 15s                  # a runtime exec and its pods/exec audit record at most this far apart (1s..10m)
 *   exec_audit_coverage: 1h                # the audit records around an exec at most this far from it (default: any)
 *   entry_flow_bound: 10m                  # an accepted flow from a public address to a pod at most this long before
 *                                          # the pod's first execution / credential signal is the incident's entry
 *   exfil_bytes: 50000000                  # a workload of an open incident sending this many bytes to one public
 *   exfil_window: 10m                      # address within this window (flow records by their start): exfiltration
 *   known_accounts: [111122223333]         # the organisation's AWS accounts: an S3 object written into another
 *                                          # account's bucket is exfiltration (default none: the rule is off)
 * vpc_flow:                                # env STRATA_VPC_FLOW_LOG_FORMATS: PREFIX=FORMAT;log-group:NAME=FORMAT
 *   log_formats:                           # custom formats of exports without a header line
 *     - prefix: exportedlogs/flow-custom/  # path / S3 key prefix (or log_group: NAME)
 *       format: ${version} ${vpc-id} ...   # AWS's LogFormat, taken as written (no ${ENV} substitution)
 * </pre>
 *
 * Unknown keys fail with the full key path.
 */
public record StrataSettings(
    String kafkaBootstrap,
    Map<String, String> kafkaProperties,
    String openSearchUrl,
    URI s3Endpoint,
    String s3Region,
    String s3Bucket,
    String s3AccessKey,
    Secret s3SecretKey,
    Map<String, String> components,
    List<VpcFlowLogFormats.Rule> vpcFlowLogFormats) {

  /** A value that must never be printed. */
  public record Secret(String value) {
    @Override
    public String toString() {
      return "***";
    }
  }

  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Map<String, Set<String>> KNOWN_KEYS =
      Map.of(
          "kafka", Set.of("bootstrap_servers", "properties"),
          "opensearch", Set.of("url"),
          "s3", Set.of("endpoint", "region", "bucket", "access_key", "secret_key"),
          "agent", Set.of("collector_id", "node_root", "globs", "poll_interval_ms", "checkpoint_dir", "node_name",
              "cluster", "progress_seconds"),
          "receive", Set.of("port", "bind", "token", "max_body_bytes"),
          "incident", Set.of("sigma_rules", "sigma_min_level", "known_cidrs", "deployer_namespaces", "exec_audit_bound",
              "exec_audit_coverage", "entry_flow_bound", "exfil_bytes", "exfil_window", "known_accounts"),
          "vpc_flow", Set.of("log_formats"));
  /** Environment variable of the custom VPC flow log formats ({@code ;}- or newline-separated specs). */
  static final String ENV_VPC_FLOW_LOG_FORMATS = "STRATA_VPC_FLOW_LOG_FORMATS";
  /** Sections of one command (component settings): option > env {@code STRATA_<SECTION>_<KEY>} > file. */
  private static final Set<String> COMPONENT_SECTIONS = Set.of("agent", "receive", "incident");

  /** Reads env and an optional config file; {@code overrides} come from command-line options (null = unset). */
  public static StrataSettings resolve(Path configFile, Map<String, String> overrides, Function<String, String> env) {
    Map<String, String> file = new LinkedHashMap<>();
    Map<String, String> kafkaProps = new LinkedHashMap<>();
    List<VpcFlowLogFormats.Rule> fileFlowFormats = new java.util.ArrayList<>();
    Path path = configFile != null ? configFile : Optional.ofNullable(env.apply("STRATA_CONFIG")).map(Path::of).orElse(null);
    if (path != null) {
      readYaml(path, file, kafkaProps, fileFlowFormats, env);
    }
    List<VpcFlowLogFormats.Rule> flowFormats = new java.util.ArrayList<>();
    String envFlowFormats = env.apply(ENV_VPC_FLOW_LOG_FORMATS);
    if (envFlowFormats != null && !envFlowFormats.isBlank()) {
      flowFormats.addAll(VpcFlowLogFormats.parse(List.of(envFlowFormats.split("[;\\n]")), ENV_VPC_FLOW_LOG_FORMATS));
    }
    flowFormats.addAll(fileFlowFormats);
    Function<String[], String> pick =
        keys -> {
          String cli = overrides.get(keys[0]);
          if (cli != null && !cli.isBlank()) return cli;
          String e = env.apply(keys[1]);
          if (e != null && !e.isBlank()) return e;
          return file.get(keys[0]);
        };
    String endpoint = pick.apply(new String[] {"s3.endpoint", "STRATA_S3_ENDPOINT"});
    String secret = pick.apply(new String[] {"s3.secret_key", "STRATA_S3_SECRET_KEY"});
    String region = pick.apply(new String[] {"s3.region", "STRATA_S3_REGION"});
    String bucket = pick.apply(new String[] {"s3.bucket", "STRATA_S3_BUCKET"});
    Map<String, String> components = new java.util.TreeMap<>();
    for (String section : COMPONENT_SECTIONS) {
      for (String k : KNOWN_KEYS.get(section)) {
        String key = section + "." + k;
        String v = pick.apply(new String[] {key, "STRATA_" + key.replace('.', '_').toUpperCase(java.util.Locale.ROOT)});
        if (v != null && !v.isBlank()) components.put(key, v);
      }
    }
    return new StrataSettings(
        pick.apply(new String[] {"kafka.bootstrap_servers", "STRATA_KAFKA_BOOTSTRAP"}),
        Map.copyOf(kafkaProps),
        pick.apply(new String[] {"opensearch.url", "STRATA_OPENSEARCH_URL"}),
        endpoint == null ? null : URI.create(endpoint),
        region == null ? "us-east-1" : region,
        bucket == null ? "strata-evidence" : bucket,
        pick.apply(new String[] {"s3.access_key", "STRATA_S3_ACCESS_KEY"}),
        secret == null ? null : new Secret(secret),
        Map.copyOf(components),
        List.copyOf(flowFormats));
  }

  /** A component setting ({@code agent.collector_id}, {@code receive.port}, ...), or null when unset. Lists are comma-joined. */
  public String component(String key) {
    return components.get(key);
  }

  /**
   * {@code incident.known_cidrs}: the organisation's own public ranges, one setting for the incident job (an address
   * there links nothing and is no outside use) and the correlation job (a call from there is tied to no pod as used
   * from outside); empty when unset. A value that is no CIDR block fails naming the setting.
   */
  public List<String> knownCidrs() {
    String v = components.get("incident.known_cidrs");
    if (v == null || v.isBlank()) return List.of();
    List<String> out = java.util.Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    dev.strata.correlate.KnownCidrs.parse(out); // fail here, naming the key, not in a job
    return out;
  }

  /**
   * The incident job's settings of this configuration applied to {@code base}: {@code incident.known_cidrs},
   * {@code incident.deployer_namespaces} (the item {@code defaults} is the default list:
   * {@link dev.strata.job.incident.IncidentSettings#deployerNamespaces}), {@code incident.exec_audit_bound} and
   * {@code incident.exec_audit_coverage}, {@code incident.entry_flow_bound}, {@code incident.exfil_bytes} and {@code
   * incident.exfil_window}, {@code incident.known_accounts} (durations: {@code 15s}, {@code 2m}, {@code
   * PT15S}). A wrong value fails
   * naming the key.
   */
  public dev.strata.job.incident.IncidentSettings applyIncident(dev.strata.job.incident.IncidentSettings base) {
    var s = base.withKnownCidrs(knownCidrs());
    String ns = components.get("incident.deployer_namespaces");
    if (ns != null && !ns.isBlank()) {
      s = s.withDeployerNamespaces(
          dev.strata.job.incident.IncidentSettings.deployerNamespaces(java.util.Arrays.asList(ns.split(","))));
    }
    String bound = components.get("incident.exec_audit_bound");
    String coverage = components.get("incident.exec_audit_coverage");
    if (bound != null || coverage != null) {
      s = s.withExecAudit(
          bound == null ? s.execAuditBound() : dev.strata.job.ParseJobConfig.parseDuration("incident.exec_audit_bound", bound),
          coverage == null ? s.execAuditCoverage()
              : dev.strata.job.ParseJobConfig.parseDuration("incident.exec_audit_coverage", coverage));
    }
    String entry = components.get("incident.entry_flow_bound");
    if (entry != null) {
      s = s.withEntryFlowBound(dev.strata.job.ParseJobConfig.parseDuration("incident.entry_flow_bound", entry));
    }
    String exfilBytes = components.get("incident.exfil_bytes");
    String exfilWindow = components.get("incident.exfil_window");
    if (exfilBytes != null || exfilWindow != null) {
      long bytes = s.exfilBytes();
      if (exfilBytes != null) {
        try {
          bytes = Long.parseLong(exfilBytes.trim().replace("_", ""));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("incident.exfil_bytes: not a number of bytes: '" + exfilBytes + "'");
        }
        if (bytes <= 0) throw new IllegalArgumentException("incident.exfil_bytes: must be > 0, was " + exfilBytes);
      }
      s = s.withExfil(bytes, exfilWindow == null ? s.exfilWindow()
          : dev.strata.job.ParseJobConfig.parseDuration("incident.exfil_window", exfilWindow));
    }
    String accounts = components.get("incident.known_accounts");
    if (accounts != null && !accounts.isBlank()) {
      s = s.withKnownAccounts(java.util.Arrays.stream(accounts.split(",")).map(String::trim).filter(a -> !a.isEmpty())
          .toList());
    }
    return s;
  }

  @Override
  public String toString() {
    Map<String, String> shown = new java.util.TreeMap<>(components);
    shown.replaceAll((k, v) -> k.endsWith("token") ? "***" : v);
    return "StrataSettings[kafkaBootstrap=" + kafkaBootstrap + ", kafkaProperties=" + kafkaProperties.keySet()
        + ", openSearchUrl=" + openSearchUrl + ", s3Endpoint=" + s3Endpoint + ", s3Region=" + s3Region
        + ", s3Bucket=" + s3Bucket + ", s3AccessKey=" + s3AccessKey + ", s3SecretKey=" + s3SecretKey
        + ", components=" + shown + "]";
  }

  public static StrataSettings fromEnvironment(Path configFile, Map<String, String> overrides) {
    return resolve(configFile, overrides, System::getenv);
  }

  /** The Kafka bootstrap servers, or a clear error naming every way to set them. */
  public String requireKafka() {
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      throw new IllegalArgumentException(
          "Kafka is not configured: pass --kafka HOST:PORT, set STRATA_KAFKA_BOOTSTRAP, or kafka.bootstrap_servers in the config file");
    }
    return kafkaBootstrap;
  }

  private static void readYaml(Path path, Map<String, String> out, Map<String, String> kafkaProps,
      List<VpcFlowLogFormats.Rule> flowFormats, Function<String, String> env) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(path));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read config file " + path + ": " + e.getMessage(), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) return;
    if (!root.isObject()) throw new IllegalArgumentException(path + ": the config must be a mapping of sections (kafka, opensearch, s3)");
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      var section = it.next();
      Set<String> known = KNOWN_KEYS.get(section.getKey());
      if (known == null) {
        throw new IllegalArgumentException(path + ": unknown key '" + section.getKey() + "' (known: " + KNOWN_KEYS.keySet() + ")");
      }
      for (Iterator<Map.Entry<String, JsonNode>> f = section.getValue().fields(); f.hasNext(); ) {
        var field = f.next();
        String key = section.getKey() + "." + field.getKey();
        if (!known.contains(field.getKey())) {
          throw new IllegalArgumentException(path + ": unknown key '" + key + "' (known in " + section.getKey() + ": " + known + ")");
        }
        if (key.equals("vpc_flow.log_formats")) {
          flowFormats.addAll(flowLogFormats(path, key, field.getValue()));
        } else if (key.equals("kafka.properties")) {
          field.getValue().fields().forEachRemaining(p -> kafkaProps.put(p.getKey(), substitute(p.getValue().asText(), env, path, key)));
        } else if (field.getValue().isArray()) {
          List<String> items = new java.util.ArrayList<>();
          field.getValue().forEach(item -> items.add(substitute(item.asText(), env, path, key)));
          out.put(key, String.join(",", items));
        } else {
          out.put(key, substitute(field.getValue().asText(), env, path, key));
        }
      }
    }
  }

  /** {@code vpc_flow.log_formats}: a list of {prefix | log_group, format}; errors name the item's key path. */
  private static List<VpcFlowLogFormats.Rule> flowLogFormats(Path file, String key, JsonNode list) {
    if (!list.isArray()) {
      throw new IllegalArgumentException(file + ": " + key + " must be a list of {prefix or log_group, format}");
    }
    List<VpcFlowLogFormats.Rule> out = new java.util.ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      String at = key + "[" + i + "]";
      if (!item.isObject()) throw new IllegalArgumentException(file + ": " + at + " must be a mapping");
      for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
        String n = names.next();
        if (!Set.of("prefix", "log_group", "format").contains(n)) {
          throw new IllegalArgumentException(file + ": unknown key '" + at + "." + n + "' (known: prefix, log_group, format)");
        }
      }
      try {
        out.add(new VpcFlowLogFormats.Rule(item.path("prefix").asText(null), item.path("log_group").asText(null),
            item.path("format").asText(null)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + at + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  static String substitute(String value, Function<String, String> env, Path file, String key) {
    Matcher m = ENV_REF.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = env.apply(m.group(1));
      if (v == null) {
        throw new IllegalArgumentException(file + ": " + key + " refers to ${" + m.group(1) + "}, which is not set");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
