package dev.strata.parse;

import dev.strata.parse.formats.awscloudtrail.AwsCloudTrailParser;
import dev.strata.parse.formats.awscloudtraildigest.AwsCloudTrailDigestParser;
import dev.strata.parse.formats.awsecstaskmetadata.AwsEcsTaskMetadataParser;
import dev.strata.parse.formats.awsvpcflow.AwsVpcFlowParquetParser;
import dev.strata.parse.formats.awsvpcflow.AwsVpcFlowParser;
import dev.strata.parse.formats.crilog.CriLogParser;
import dev.strata.parse.formats.dockerjsonlog.DockerJsonLogParser;
import dev.strata.parse.formats.falcoalert.FalcoAlertParser;
import dev.strata.parse.formats.dockercontainerconfig.DockerContainerConfigParser;
import dev.strata.parse.formats.dockerdaemonlog.DockerDaemonLogParser;
import dev.strata.parse.formats.containerddaemonlog.ContainerdDaemonLogParser;
import dev.strata.parse.formats.criodaemonlog.CrioDaemonLogParser;
import dev.strata.parse.formats.dockerdiff.DockerDiffParser;
import dev.strata.parse.formats.dockerevents.DockerEventsParser;
import dev.strata.parse.formats.dockerinspect.DockerInspectParser;
import dev.strata.parse.formats.dockerlocallog.DockerLocalLogParser;
import dev.strata.parse.formats.tetragonevent.TetragonEventParser;
import dev.strata.parse.formats.k8saudit.K8sAuditParser;
import dev.strata.parse.formats.k8sevent.K8sEventParser;
import dev.strata.parse.formats.k8snode.K8sNodeParser;
import dev.strata.parse.formats.k8spod.K8sPodParser;
import dev.strata.parse.formats.awsvpccni.AwsVpcCniParser;
import dev.strata.parse.formats.podmanevents.PodmanEventsParser;
import dev.strata.parse.formats.ociruntimeconfig.OciRuntimeConfigParser;
import dev.strata.parse.formats.podmancontainersjson.PodmanContainersJsonParser;
import dev.strata.parse.formats.crictlinspect.CrictlInspectParser;
import dev.strata.parse.formats.overlayupperchanges.OverlayUpperChangesParser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The parsers known to the pipeline, by format id. An explicit list, never a classpath scan. */
public final class ParserRegistry {

  private final Map<String, EvidenceParser> byFormat;

  private ParserRegistry(List<EvidenceParser> parsers) {
    Map<String, EvidenceParser> m = new LinkedHashMap<>();
    for (EvidenceParser p : parsers) {
      if (p == null) throw new IllegalArgumentException("parser list contains null");
      String f = p.format();
      if (f == null || !f.matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException("format id must be lower_snake_case: " + f);
      }
      if (m.putIfAbsent(f, p) != null) throw new IllegalArgumentException("duplicate format id: " + f);
    }
    this.byFormat = Collections.unmodifiableMap(m);
  }

  /** Every parser of this module. Adding a format = one line here. */
  public static ParserRegistry defaults() {
    return of(List.of(new DockerJsonLogParser(), new K8sAuditParser(), new AwsCloudTrailParser(),
        new AwsCloudTrailDigestParser(), new AwsVpcFlowParser(), new AwsVpcFlowParquetParser(),
        new AwsEcsTaskMetadataParser(),
        new FalcoAlertParser(),
        new TetragonEventParser(),
        new DockerContainerConfigParser(),
        new K8sEventParser(),
        new K8sPodParser(),
        new AwsVpcCniParser(),
        new K8sNodeParser(),
        new dev.strata.parse.formats.k8sservice.K8sServiceParser(),
        new dev.strata.parse.formats.awsec2.AwsEc2InstancesParser(),
        new dev.strata.parse.formats.awsec2.AwsEc2NetworkInterfacesParser(),
        new CriLogParser(),
        new DockerDaemonLogParser(),
        new ContainerdDaemonLogParser(),
        new CrioDaemonLogParser(),
        new dev.strata.parse.formats.kubeletlog.KubeletLogParser(),
        new PodmanEventsParser(),
        new OciRuntimeConfigParser(),
        new PodmanContainersJsonParser(),
        new dev.strata.parse.formats.libpodstate.LibpodStateParser(),
        new DockerEventsParser(),
        new dev.strata.parse.formats.supplychain.SpdxSbomParser(),
        new dev.strata.parse.formats.supplychain.CycloneDxSbomParser(),
        new dev.strata.parse.formats.supplychain.SyftSbomParser(),
        new dev.strata.parse.formats.supplychain.GrypeScanParser(),
        new dev.strata.parse.formats.supplychain.CosignVerifyParser(),
        new dev.strata.parse.formats.trivyscan.TrivyScanParser(),
        new DockerDiffParser(),
        new CrictlInspectParser(),
        new DockerInspectParser(),
        new dev.strata.parse.formats.dockerimage.DockerImageParser(),
        new OverlayUpperChangesParser(),
        new DockerLocalLogParser()));
  }

  public static ParserRegistry of(List<? extends EvidenceParser> parsers) {
    return new ParserRegistry(new ArrayList<>(parsers));
  }

  /** The parser whose format id equals the chunk's source_type. */
  public Optional<EvidenceParser> forSourceType(String sourceType) {
    return Optional.ofNullable(sourceType == null ? null : byFormat.get(sourceType));
  }

  /** Registered format ids, in registration order. */
  public List<String> formats() {
    return List.copyOf(byFormat.keySet());
  }

  public List<EvidenceParser> parsers() {
    return List.copyOf(byFormat.values());
  }
}
