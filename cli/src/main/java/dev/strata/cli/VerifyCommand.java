package dev.strata.cli;

import dev.strata.sink.s3.S3EvidenceStore;
import dev.strata.sink.s3.VerificationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code strata verify}: re-reads preserved artifacts and checks their SHA-256. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Read artifacts back from the S3 evidence store and verify their SHA-256 (exit 1 on any mismatch).")
final class VerifyCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "SHA256", description = "Artifact ids to verify.")
  List<String> ids = new ArrayList<>();

  @Option(names = "--all", description = "Verify every artifact in the store.")
  boolean all;

  @Mixin ServiceOptions services;

  @Override
  public Integer call() throws Exception {
    if (ids.isEmpty() && !all) throw new IllegalArgumentException("give artifact ids (SHA-256) or --all");
    try (EvidencePipeline pipeline = new EvidencePipeline(EvidencePipeline.Services.of(services.settings()))) {
      S3EvidenceStore store = pipeline.store();
      List<String> todo = new ArrayList<>(ids);
      if (all) {
        store.listArtifacts().forEach(o -> todo.add(o.key().substring(store.artifactsPrefix().length())));
      }
      int bad = 0;
      for (String id : todo) {
        VerificationResult r = store.verify(id);
        System.out.println((r.ok() ? "ok       " : "MISMATCH ") + r);
        if (!r.ok()) bad++;
      }
      System.err.printf("%d verified, %d mismatched%n", todo.size() - bad, bad);
      return bad == 0 ? 0 : 1;
    }
  }
}
