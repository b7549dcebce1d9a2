package dev.strata.parse.formats.supplychain;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

/** Contract + fixtures (src/test/resources/fixtures/cosign_verify) for {@link CosignVerifyParser}. */
class CosignVerifyParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new CosignVerifyParser();
  }
}
