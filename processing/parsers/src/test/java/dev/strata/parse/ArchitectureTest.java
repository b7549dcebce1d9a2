package dev.strata.parse;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Parsers are plain Java: the Flink job depends on them, never the other way round. */
@AnalyzeClasses(packages = "dev.strata.parse", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noFlink =
      noClasses().that().resideInAPackage("dev.strata.parse..")
          .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..");

  @ArchTest
  static final ArchRule noOtherStrataModules =
      noClasses().that().resideInAPackage("dev.strata.parse..")
          .should().dependOnClassesThat()
          .resideInAnyPackage("dev.strata.job..", "dev.strata.sink..", "dev.strata.ingest..", "dev.strata.infra..", "dev.strata.cli..");

  @ArchTest
  static final ArchRule formatsDoNotDependOnEachOther =
      noClasses().that().resideInAPackage("dev.strata.parse.formats.dockerjsonlog..")
          .should().dependOnClassesThat().resideInAnyPackage("dev.strata.parse.formats.k8saudit..", "dev.strata.parse.formats.awscloudtrail..");

  /** Parquet (VPC Flow Logs) is read with parquet-column alone: nothing of Hadoop, nor parquet-hadoop. */
  @ArchTest
  static final ArchRule noHadoop =
      noClasses().that().resideInAPackage("dev.strata.parse..")
          .should().dependOnClassesThat().resideInAnyPackage("org.apache.hadoop..", "org.apache.parquet.hadoop..");
}
