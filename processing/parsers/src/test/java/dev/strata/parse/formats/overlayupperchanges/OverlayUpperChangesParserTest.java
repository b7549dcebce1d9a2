package dev.strata.parse.formats.overlayupperchanges;

import dev.strata.parse.EvidenceParser;
import dev.strata.parse.ParserContractTest;

class OverlayUpperChangesParserTest extends ParserContractTest {

  @Override
  protected EvidenceParser parser() {
    return new OverlayUpperChangesParser();
  }
}
