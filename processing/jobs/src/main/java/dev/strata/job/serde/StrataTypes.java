package dev.strata.job.serde;

import dev.strata.job.RawInput;
import dev.strata.schema.deadletter.DeadLetter;
import dev.strata.schema.event.EvidenceEvent;
import dev.strata.schema.raw.RawArtifactChunk;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Flink type information of the records flowing through strata jobs: all in the Avro wire format, no Kryo. */
public final class StrataTypes {
  public static final TypeInformation<RawArtifactChunk> RAW_CHUNK = new AvroCodecTypeInfo<>(RawArtifactChunk.class);
  public static final TypeInformation<EvidenceEvent> EVIDENCE_EVENT = new AvroCodecTypeInfo<>(EvidenceEvent.class);
  public static final TypeInformation<DeadLetter> DEAD_LETTER = new AvroCodecTypeInfo<>(DeadLetter.class);
  public static final TypeInformation<RawInput> RAW_INPUT = new RawInputTypeInfo();

  private StrataTypes() {}
}
