package dev.strata.parse.formats.podmancontainersjson;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;
import dev.strata.schema.common.Framing;
import org.junit.jupiter.api.Test;

class PodmanContainersJsonParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new PodmanContainersJsonParser();
  }

  @Test
  void emptyRegistryHasNoEvents() throws Exception {
    var out = parse("[]", Framing.JSON_RECORDS, "s/overlay-containers/containers.json");
    assertThat(out.events).isEmpty();
    assertThat(out.rejections).isEmpty();
  }

  @Test
  void metadataThatIsNotJsonIsKeptAsText() throws Exception {
    var out = parse("[{\"id\":\"abc\",\"layer\":\"l\",\"metadata\":\"not json\"}]", Framing.JSON_RECORDS, "x");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getUnmapped()).containsEntry("metadata", "not json")
        .containsKey("strata.warning");
  }

  @Test
  void theBareImageIdIsTheSha256DigestScansAndSbomsName() throws Exception {
    // containers/storage writes the config digest's hex only; Trivy's Metadata.ImageID, syft's and grype's
    // imageID and Docker's config.v2.json write "sha256:<hex>": the correlation job looks the image up by that text
    String hex = "4950e94b8755ddb2695d3f16265a75cc5b2a92aa716aa3a62bf5be18a0775f1b";
    var out = parse("[{\"id\":\"" + "ab".repeat(32) + "\",\"names\":[\"orders-api\"],\"image\":\"" + hex
        + "\",\"layer\":\"" + "cd".repeat(32) + "\",\"created\":\"2026-11-20T06:01:00.118Z\"}]",
        Framing.JSON_RECORDS, "home/orders/.local/share/containers/storage/overlay-containers/containers.json");
    assertThat(out.events).hasSize(1);
    assertThat(out.events.get(0).getContainer().getImageUid()).isEqualTo("sha256:" + hex);
    assertThat(out.events.get(0).getResources()).anySatisfy(r -> assertThat(r.getUid()).isEqualTo("sha256:" + hex));
    // an id that is not 64 hex digits stays as written
    assertThat(PodmanContainersJsonParser.imageId("alpine")).isEqualTo("alpine");
  }

  @Test
  void theImageStoresRegistryIsImagesNotContainers() throws Exception {
    // overlay-images/images.json (containers/storage images.go): id, digest, names, names-history, layer (the top
    // layer), big-data-*: before, each image was read as a container whose id was the image's
    String hex = "4950e94b8755ddb2695d3f16265a75cc5b2a92aa716aa3a62bf5be18a0775f1b";
    String digest = "sha256:84d1601fa1b9ea73dcedbff5b76317bdca5a308471d4015271a3680b6023da83";
    var out = parse("[{\"id\":\"" + hex + "\",\"digest\":\"" + digest + "\",\"names\":"
        + "[\"registry.example.com/orders/api:2.7.0\"],\"names-history\":[\"registry.example.com/orders/api:2.7.0\"],"
        + "\"layer\":\"" + "cd".repeat(32) + "\",\"metadata\":\"{}\",\"big-data-names\":[\"manifest\"],"
        + "\"created\":\"2026-11-20T05:58:40Z\",\"digests\":[\"" + digest + "\"]}]",
        Framing.JSON_RECORDS, "var/lib/containers/storage/overlay-images/images.json");
    assertThat(out.rejections).isEmpty();
    assertThat(out.events).hasSize(1);
    var e = out.events.get(0);
    assertThat(e.getActivityName()).isEqualTo("image inventory");
    assertThat(e.getContainer().getUid()).isNull();
    assertThat(e.getContainer().getImageUid()).isEqualTo("sha256:" + hex);
    assertThat(e.getContainer().getImageDigest()).isEqualTo(digest);
    assertThat(e.getContainer().getImageName()).isEqualTo("registry.example.com/orders/api:2.7.0");
    assertThat(e.getMessage()).startsWith("image registry.example.com/orders/api:2.7.0 in containers/storage");
  }
}
