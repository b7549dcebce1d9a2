package dev.strata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.ArtifactManifest;
import dev.strata.schema.raw.RawArtifactChunk;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The build's schema-compatibility gate: every current schema must read data written with every released version.
 * A change that breaks backward compatibility (a removed field without default, a changed type, a renamed enum
 * symbol...) fails here and so fails {@code ./mvnw verify}.
 */
class SchemaCompatibilityTest {
  static final List<Schema> CURRENT =
      List.of(
          RawArtifactChunk.getClassSchema(),
          ArtifactManifest.getClassSchema(),
          DeadLetter.getClassSchema(),
          EvidenceEvent.getClassSchema(),
          dev.strata.schema.correlate.EntityBinding.getClassSchema(),
          dev.strata.schema.correlate.Incident.getClassSchema());

  static Stream<Arguments> releasedSchemas() {
    return SchemaHistory.RELEASES.stream()
        .flatMap(v -> SchemaHistory.release(v).stream().map(s -> Arguments.of(v, s.getFullName(), s)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("releasedSchemas")
  void currentSchemaReadsEveryReleasedVersion(String version, String name, Schema released) {
    Schema current =
        CURRENT.stream()
            .filter(s -> s.getFullName().equals(released.getFullName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(released.getFullName() + " was released in " + version + " and removed"));
    var result = SchemaCompatibility.checkReaderWriterCompatibility(current, released);
    assertThat(result.getType())
        .as("%s: current schema cannot read %s data: %s", released.getFullName(), version, result.getResult().getIncompatibilities())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void everyCurrentTopLevelSchemaHasBeenReleased() {
    List<String> latest = SchemaHistory.release(SchemaHistory.RELEASES.get(SchemaHistory.RELEASES.size() - 1))
        .stream().map(Schema::getFullName).toList();
    assertThat(latest).containsAll(CURRENT.stream().map(Schema::getFullName).toList());
  }

  @Test
  void aFramingAddedInV3ReadsAsTheDefaultWithTheV2Schema() throws Exception {
    Schema v2 = SchemaHistory.release("v2").stream()
        .filter(s -> s.getFullName().equals(RawArtifactChunk.getClassSchema().getFullName())).findFirst().orElseThrow()
        .getField("framing").schema();
    Schema current = dev.strata.schema.common.Framing.getClassSchema();
    assertThat(v2.getEnumSymbols()).doesNotContain("PARQUET_ROW_GROUPS");
    var out = new java.io.ByteArrayOutputStream();
    var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.generic.GenericDatumWriter<Object>(current)
        .write(new org.apache.avro.generic.GenericData.EnumSymbol(current, "PARQUET_ROW_GROUPS"), enc);
    enc.flush();
    Object read = new org.apache.avro.generic.GenericDatumReader<Object>(current, v2)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    assertThat(read.toString()).isEqualTo("WHOLE");
  }

  @Test
  void aBreakingChangeIsDetected() {
    Schema released = SchemaHistory.releasedVersionsOf(DeadLetter.getClassSchema().getFullName()).get(0);
    // A reader that adds a required field without a default cannot read old data.
    Schema broken = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"DeadLetter\",\"namespace\":\"dev.strata.schema.deadletter\",\"fields\":["
            + "{\"name\":\"dead_letter_id\",\"type\":\"string\"},{\"name\":\"new_required\",\"type\":\"string\"}]}");
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(broken, released).getType())
        .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }
}
