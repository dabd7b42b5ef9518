package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobsTest {
    @TempDir
    Path dir;

    /** A job for {@link Jobs#load} to find on the test classpath. */
    public static final class Hello implements SparkJob {
        @Override
        public String run(JobContext ctx) {
            return "hello";
        }
    }

    public abstract static class Abstract implements SparkJob {}

    public static final class NoDefaultConstructor implements SparkJob {
        public NoDefaultConstructor(String s) {}

        @Override
        public String run(JobContext ctx) {
            return null;
        }
    }

    public static final class Throws implements SparkJob {
        public Throws() {
            throw new IllegalStateException("no config");
        }

        @Override
        public String run(JobContext ctx) {
            return null;
        }
    }

    private final ClassLoader here = JobsTest.class.getClassLoader();

    @Test
    void loadsAJobByItsClassName() {
        assertThat(Jobs.load(Hello.class.getName(), here)).isInstanceOf(Hello.class);
    }

    @Test
    void eachWayAClassCanBeWrongIsNamed() {
        assertThatThrownBy(() -> Jobs.load("com.example.Missing", here)).isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("unknown job class 'com.example.Missing': not found on the classpath (");
        assertThatThrownBy(() -> Jobs.load(String.class.getName(), here))
                .hasMessage("job class 'java.lang.String' does not implement dev.fanout.SparkJob");
        assertThatThrownBy(() -> Jobs.load(Abstract.class.getName(), here)).hasMessageContaining("is abstract");
        assertThatThrownBy(() -> Jobs.load(NoDefaultConstructor.class.getName(), here))
                .hasMessageEndingWith("needs a public no-argument constructor");
        assertThatThrownBy(() -> Jobs.load(Throws.class.getName(), here))
                .hasMessageContaining("failed: java.lang.IllegalStateException: no config");
    }

    @Test
    void aJarIsCheckedToExistAndToBeAJar() throws IOException {
        Path missing = dir.resolve("job.jar");
        assertThatThrownBy(() -> Jobs.classLoader(List.of(missing))).isInstanceOf(BadInputException.class)
                .hasMessage("'" + missing + "' does not exist");
        Path csv = Files.writeString(dir.resolve("days.csv"), "day\n2024-01-01\n");
        assertThatThrownBy(() -> Jobs.classLoader(List.of(csv))).hasMessage("'" + csv + "' is not a jar file");
        assertThatThrownBy(() -> Jobs.classLoader(List.of(dir))).hasMessage("'" + dir + "' is not a file");
    }

    @Test
    void aJobIsLoadedFromAJarAndAMissingClassOrDependencyIsNamed() throws IOException {
        // Two classes compiled here, so the test's own classpath cannot see them; only Needs goes into the jar.
        Path src = Files.createDirectories(dir.resolve("src/com/example"));
        Files.writeString(src.resolve("Hello.java"), """
                package com.example;
                public class Hello implements dev.fanout.SparkJob {
                    public String run(dev.fanout.JobContext ctx) { return "hello"; }
                }
                """);
        Files.writeString(src.resolve("Dep.java"), "package com.example; public class Dep {}");
        Files.writeString(src.resolve("Needs.java"), """
                package com.example;
                public class Needs implements dev.fanout.SparkJob {
                    static final Dep DEP = new Dep();
                    public String run(dev.fanout.JobContext ctx) { return "x"; }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.resolve("Hello.java").toString(),
                src.resolve("Dep.java").toString(), src.resolve("Needs.java").toString());
        assertThat(compiled).isZero();
        Path jar = dir.resolve("hello.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("com/example/Hello.class", "com/example/Needs.class")) {
                out.putNextEntry(new JarEntry(name));
                out.write(Files.readAllBytes(classes.resolve(name)));
                out.closeEntry();
            }
        }

        assertThatThrownBy(() -> Jobs.load("com.example.Hello", here)).hasMessageStartingWith("unknown job class 'com.example.Hello'");
        ClassLoader loader = Jobs.classLoader(List.of(jar));
        SparkJob job = Jobs.load("com.example.Hello", loader);
        assertThat(job.getClass().getClassLoader()).isSameAs(loader);
        assertThatThrownBy(() -> Jobs.load("com.example.Missing", loader))
                .hasMessageStartingWith("unknown job class 'com.example.Missing': not found on the classpath or in " + jar + " (");
        assertThatThrownBy(() -> Jobs.load("com.example.Needs", loader))
                .hasMessage("job class 'com.example.Needs' needs class 'com.example.Dep', which is not on the classpath or in " + jar);
        assertThat(Jobs.classLoader(List.of())).isSameAs(Thread.currentThread().getContextClassLoader());
    }
}
