package dev.fanout.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which package may use which, checked on the compiled classes of all three modules: the library's machinery stays
 * behind its API, the command line and the examples use the library as any driver program would.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.fanout");
    }

    @Test
    void theCommandLineAndTheExamplesUseTheApiPackagesOnly() {
        noClasses().that().resideInAnyPackage("dev.fanout.cli..", "dev.fanout.examples..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.internal..")
                .because("a driver program or a notebook can do with fanout-core's API whatever the command line does")
                .check(classes);
    }

    @Test
    void theLibraryNeverUsesTheCommandLineOrTheExamples() {
        noClasses().that().resideInAnyPackage("dev.fanout", "dev.fanout.history..", "dev.fanout.report..",
                        "dev.fanout.rows..", "dev.fanout.workflow..", "dev.fanout.internal..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.cli..", "dev.fanout.examples..", "picocli..")
                .check(classes);
    }

    @Test
    void theHistoryDoesNotDependOnTheEngine() {
        noClasses().that().resideInAnyPackage("dev.fanout.history..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.internal.engine..", "dev.fanout.internal.spark..")
                .because("the history records results; it does not run anything")
                .check(classes);
    }

    @Test
    void theRowsDoNotDependOnTheBatchEngine() {
        noClasses().that().resideInAnyPackage("dev.fanout.rows..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.internal.engine..", "dev.fanout.history..")
                .check(classes);
    }
}
