package dev.strata.ingest.recognize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.common.Framing;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's image store files (shapes of moby's image/ and distribution/ packages; values invented). */
class DockerImageRecognizerTest {
  private static final List<ArtifactRecognizer> R = Recognizers.defaults();

  static Recognition rec(String path, String content) {
    return Recognizers.recognize(R, path, ContentSample.of(content));
  }

  @Test
  void imageStoreFilesByContent() {
    Recognition config = rec("var/lib/docker/image/overlay2/imagedb/content/sha256/" + "a".repeat(64),
        "{\"architecture\":\"amd64\",\"config\":{\"Cmd\":[\"sh\"]},\"created\":\"2024-08-30T08:00:00Z\","
            + "\"history\":[],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
    assertThat(config.sourceType()).isEqualTo("docker_image_config");
    assertThat(config.framing()).isEqualTo(Framing.WHOLE);
    assertThat(rec("var/lib/docker/image/overlay2/repositories.json",
        "{\"Repositories\":{\"nginx\":{\"nginx:1.25\":\"sha256:" + "a".repeat(64) + "\"}}}").sourceType())
        .isEqualTo("docker_image_config");
    assertThat(rec("x/graph/" + "b".repeat(64) + "/json",
        "{\"id\":\"" + "b".repeat(64) + "\",\"container_config\":{},\"docker_version\":\"1.8.2\"}").sourceType())
        .isEqualTo("docker_image_config");
  }

  @Test
  void paths() {
    DockerImageRecognizer d = new DockerImageRecognizer();
    assertThat(d.matchPath("var/lib/docker/image/overlay2/imagedb/content/sha256/" + "a".repeat(64))).isPresent();
    assertThat(d.matchPath("var/lib/docker/image/overlay2/repositories.json")).isPresent();
    assertThat(d.matchPath("var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/" + "c".repeat(64)))
        .isPresent();
    assertThat(d.matchPath("var/lib/docker/image/overlay2/imagedb/metadata/sha256/" + "a".repeat(64) + "/parent"))
        .isEmpty();
  }

  @Test
  void otherJsonIsNot() {
    assertThat(rec("x/config.json", "{\"ociVersion\":\"1.0.2\",\"process\":{},\"root\":{}}").sourceType())
        .isNotEqualTo("docker_image_config");
  }
}
