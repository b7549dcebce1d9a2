package dev.strata.ingest.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One bucket to pull from: which account's logs, which prefixes, and how to reach it.
 *
 * <pre>
 * sources:                              # --sources FILE (YAML or JSON)
 *   - bucket: org-trail-logs            # required
 *     accounts: ["111122223333"]        # standard prefixes are derived per account (default: none)
 *     org_id: o-abc123def4              # organization trail layout AWSLogs/o-.../<account>/... (optional)
 *     key_prefix: trails/               # the trail's S3 key prefix before AWSLogs/ (optional)
 *     prefixes: [exports/]              # extra prefixes (optional; a strata-context.yaml at a prefix's root gives
 *                                       # its objects' cluster / account, read first: S3Puller#manifests)
 *     region: us-east-1                 # the bucket's region (default us-east-1)
 *     role_arn: arn:aws:iam::111122223333:role/strata-read   # STS AssumeRole (optional)
 *     external_id: ${EXTERNAL_ID}       # for the role (optional)
 *     endpoint: http://127.0.0.1:9000   # S3-compatible server (optional; path-style then)
 *     access_key: ...                   # static credentials (optional; default: the AWS default chain)
 *     secret_key: ${SECRET}
 * </pre>
 *
 * Standard prefixes per account: {@code <key_prefix>AWSLogs/[<org_id>/]<account>/CloudTrail/}, {@code
 * .../CloudTrail-Digest/} and {@code .../CloudTrail-Insight/} (Insights events; an organization trail puts the org id
 * before the account); VPC Flow Logs as S3 delivers
 * them, {@code <key_prefix>AWSLogs/<account>/vpcflowlogs/} and, with Hive-compatible prefixes, {@code
 * <key_prefix>AWSLogs/aws-account-id=<account>/aws-service=vpcflowlogs/} (flow logs have no organization layout).
 * {@code ${ENV}} references are substituted; unknown keys fail.
 */
public record S3Source(
    String bucket,
    List<String> accounts,
    String orgId,
    String keyPrefix,
    List<String> extraPrefixes,
    String region,
    String roleArn,
    String externalId,
    URI endpoint,
    String accessKey,
    Secret secretKey) {

  /** A value never printed. */
  public record Secret(String value) {
    @Override
    public String toString() {
      return "***";
    }
  }

  /** The CloudTrail folders below {@code AWSLogs/[<org_id>/]<account>/}. */
  public static final List<String> STANDARD_FOLDERS = List.of("CloudTrail/", "CloudTrail-Digest/", "CloudTrail-Insight/");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
  private static final Pattern ORG = Pattern.compile("o-[a-z0-9]{4,32}");
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Set<String> KEYS = Set.of("bucket", "accounts", "account", "org_id", "key_prefix", "prefixes",
      "region", "role_arn", "external_id", "endpoint", "access_key", "secret_key");

  public S3Source {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("bucket: not a valid S3 bucket name: '" + bucket + "'");
    }
    accounts = List.copyOf(accounts == null ? List.of() : accounts);
    for (String a : accounts) {
      if (!ACCOUNT.matcher(a).matches()) {
        throw new IllegalArgumentException("accounts: '" + a + "' is not a 12-digit AWS account id");
      }
    }
    if (orgId != null && !ORG.matcher(orgId).matches()) {
      throw new IllegalArgumentException("org_id: '" + orgId + "' is not an organization id (o-...)");
    }
    keyPrefix = keyPrefix == null || keyPrefix.isEmpty() ? "" : (keyPrefix.endsWith("/") ? keyPrefix : keyPrefix + "/");
    extraPrefixes = List.copyOf(extraPrefixes == null ? List.of() : extraPrefixes);
    if (accounts.isEmpty() && extraPrefixes.isEmpty()) {
      throw new IllegalArgumentException("bucket " + bucket + ": give accounts (standard prefixes) or prefixes");
    }
    region = region == null || region.isBlank() ? "us-east-1" : region;
    if (externalId != null && roleArn == null) {
      throw new IllegalArgumentException("external_id: needs role_arn");
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("access_key and secret_key: give both or neither");
    }
  }

  /** The prefixes to pull, in order: the standard ones of each account, then the extra ones (duplicates dropped). */
  public List<String> prefixes() {
    Set<String> out = new LinkedHashSet<>();
    for (String a : accounts) {
      for (String f : STANDARD_FOLDERS) {
        out.add(keyPrefix + "AWSLogs/" + (orgId == null ? "" : orgId + "/") + a + "/" + f);
      }
      out.add(keyPrefix + "AWSLogs/" + a + "/vpcflowlogs/");
      out.add(keyPrefix + "AWSLogs/aws-account-id=" + a + "/aws-service=vpcflowlogs/");
    }
    out.addAll(extraPrefixes);
    return List.copyOf(out);
  }

  /** Reads {@code sources:} from a YAML/JSON file. */
  public static List<S3Source> read(Path file, Function<String, String> env) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    JsonNode list = root == null ? null : root.get("sources");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new IllegalArgumentException(file + ": expected a non-empty 'sources:' list");
    }
    Iterator<String> top = root.fieldNames();
    while (top.hasNext()) {
      String k = top.next();
      if (!k.equals("sources")) {
        throw new IllegalArgumentException(file + ": unknown key '" + k + "'");
      }
    }
    List<S3Source> out = new ArrayList<>();
    int i = 0;
    for (JsonNode s : list) {
      String where = file + ": sources[" + i++ + "]";
      try {
        out.add(of(s, env));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + "." + e.getMessage(), e);
      }
    }
    return out;
  }

  static S3Source of(JsonNode s, Function<String, String> env) {
    if (!s.isObject()) {
      throw new IllegalArgumentException("is not a mapping");
    }
    Iterator<Map.Entry<String, JsonNode>> it = s.fields();
    while (it.hasNext()) {
      String k = it.next().getKey();
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException(k + ": unknown key (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    List<String> accounts = new ArrayList<>(strings(s.get("accounts"), env));
    if (s.hasNonNull("account")) {
      accounts.add(text(s, "account", env));
    }
    String endpoint = text(s, "endpoint", env);
    String secret = text(s, "secret_key", env);
    return new S3Source(text(s, "bucket", env), accounts, text(s, "org_id", env), text(s, "key_prefix", env),
        strings(s.get("prefixes"), env), text(s, "region", env), text(s, "role_arn", env), text(s, "external_id", env),
        endpoint == null ? null : URI.create(endpoint), text(s, "access_key", env), secret == null ? null : new Secret(secret));
  }

  private static List<String> strings(JsonNode n, Function<String, String> env) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(v -> out.add(subst(v.asText(), env)));
    } else {
      out.add(subst(n.asText(), env));
    }
    return out;
  }

  private static String text(JsonNode s, String key, Function<String, String> env) {
    JsonNode v = s.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isContainerNode()) {
      throw new IllegalArgumentException(key + ": expected a single value");
    }
    return subst(v.asText(), env);
  }

  private static String subst(String v, Function<String, String> env) {
    Matcher m = ENV_REF.matcher(v);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String e = env.apply(m.group(1));
      if (e == null) {
        throw new IllegalArgumentException("${" + m.group(1) + "} is not set");
      }
      m.appendReplacement(b, Matcher.quoteReplacement(e));
    }
    m.appendTail(b);
    return b.toString();
  }

  @Override
  public String toString() {
    return "s3://" + bucket + " " + prefixes() + (roleArn == null ? "" : " as " + roleArn)
        + (endpoint == null ? "" : " via " + endpoint);
  }
}
