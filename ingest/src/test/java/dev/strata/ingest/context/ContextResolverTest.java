package dev.strata.ingest.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.ingest.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextResolverTest {
  @TempDir Path root;

  private List<ContextManifest.Entry> manifest(String rel, String yaml) {
    return ContextManifest.read(TestFiles.write(root, rel, yaml), rel);
  }

  @Test
  void longestPrefixWinsFieldByFieldAndCliDefaultsFillTheRest() {
    List<ContextManifest.Entry> entries = new ArrayList<>();
    entries.addAll(manifest("strata-context.yaml", """
        - path: ""
          cluster: prod-eu
          cloud_provider: aws
        - path: nodes/
          host: generic-node
        """));
    entries.addAll(manifest("nodes/node1/strata-context.yml", """
        - host: node1            # no path: the manifest's own directory
        - path: ./special/x.log
          host: node1-special
        """));
    ContextResolver r = new ContextResolver(entries, new ContextValues(null, "cli-cluster", null, null, "eu-west-1"));

    assertThat(r.resolve("nodes/node1/var/log/a.log", null).context())
        .isEqualTo(new ContextValues("node1", "prod-eu", "aws", null, "eu-west-1"));
    assertThat(r.resolve("nodes/node1/special/x.log", null).context().host()).isEqualTo("node1-special");
    assertThat(r.resolve("nodes/node10/a.log", null).context().host()).isEqualTo("generic-node");
    assertThat(r.resolve("other/a.log", null).context())
        .isEqualTo(new ContextValues(null, "prod-eu", "aws", null, "eu-west-1"));
  }

  @Test
  void pathLayoutBeatsManifestWithAWarning() {
    List<ContextManifest.Entry> entries = manifest("strata-context.yaml", """
        - cloud_account: "111111111111"
          cloud_region: us-east-1
          host: h
        """);
    ContextResolver r = new ContextResolver(entries, ContextValues.EMPTY);

    ContextResolver.Resolved res =
        r.resolve("AWSLogs/222222222222/x", new ContextValues(null, null, "aws", "222222222222", "us-east-1"));

    assertThat(res.context()).isEqualTo(new ContextValues("h", null, "aws", "222222222222", "us-east-1"));
    assertThat(res.warnings()).singleElement().asString()
        .contains("cloud_account", "path layout says '222222222222'", "strata-context.yaml entry 1 says '111111111111'");
  }

  /** A plain host's instance (what ties its evidence to the instance's CloudTrail calls and flows), per host folder. */
  @Test
  void aHostsCloudInstanceComesFromItsEntry() {
    List<ContextManifest.Entry> entries = manifest("strata-context.yaml", """
        - path: hosts/a
          host: ip-10-30-1-15.ec2.internal
          cloud_instance: i-0abc1234def567890
        - path: hosts/b
          host: ip-10-30-2-40.ec2.internal
        """);
    ContextResolver r = new ContextResolver(entries, new ContextValues(null, null, "aws", "333333333333", null));
    ContextValues a = r.resolve("hosts/a/var/log/falco/falco.log", null).context();
    assertThat(a).isEqualTo(new ContextValues("ip-10-30-1-15.ec2.internal", null, "aws", "333333333333", null,
        "i-0abc1234def567890"));
    assertThat(a.toAvro().getCloudInstance()).isEqualTo("i-0abc1234def567890");
    assertThat(r.resolve("hosts/b/x.log", null).context().cloudInstance()).isNull();
  }

  @Test
  void scalarsAreKeptAsWritten() {
    List<ContextManifest.Entry> entries = manifest("strata-context.yaml", "- cloud_account: 012345678901\n");
    assertThat(entries.get(0).values().cloudAccount()).isEqualTo("012345678901");
    List<ContextManifest.Entry> json = manifest("b/strata-context.json", "[{\"path\":\"x\",\"host\":\"n\"}]");
    assertThat(json.get(0).prefix()).isEqualTo("b/x");
  }

  @Test
  void manifestsAreValidatedStrictly() {
    assertThatThrownBy(() -> manifest("a/strata-context.yaml", "- path: x\n  clustr: prod\n"))
        .isInstanceOf(ContextManifestException.class)
        .hasMessageContaining("a/strata-context.yaml:2")
        .hasMessageContaining("entry 1: unknown key 'clustr'")
        .hasMessageContaining("allowed: path, host, cluster");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "host: x\n"))
        .hasMessageContaining("must be a list of entries");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "- path: ../etc\n  host: x\n"))
        .hasMessageContaining("must not contain '..'");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "- path: /abs\n  host: x\n"))
        .hasMessageContaining("relative to the manifest's directory");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "- host: [a, b]\n"))
        .hasMessageContaining("key 'host' must be a string");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "- path: x\n"))
        .hasMessageContaining("sets no context");
    assertThatThrownBy(() -> manifest("strata-context.yaml", "- host: a\n  host: b\n"))
        .hasMessageContaining("duplicate key 'host'");
    assertThatThrownBy(() -> manifest("strata-context.json", "[{\"host\": }]"))
        .hasMessageContaining("strata-context.json: not valid JSON");
    assertThatThrownBy(() -> manifest("strata-context.yaml", ""))
        .hasMessageContaining("must be a list of entries");
  }
}
