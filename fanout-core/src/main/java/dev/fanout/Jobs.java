package dev.fanout;

import dev.fanout.internal.sql.SqlJob;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Jobs named by text, as a command line, a workflow file or a notebook widget names them.
 *
 * <pre>{@code
 * ClassLoader loader = Jobs.classLoader(List.of(Path.of("jobs.jar")));
 * SparkJob job = Jobs.load("com.example.DailyMetrics", loader);
 * }</pre>
 *
 * <p>A name is a fully qualified class name of a {@link SparkJob} with a public no-argument constructor, or the path
 * of a SQL file (a name ending in {@code .sql}: see {@link #sql(Path)}). Every problem is a {@link BadInputException}
 * that names the class, jar or file and says what to fix.
 */
public final class Jobs {
    private Jobs() {}

    /**
     * The job {@code name} names: a SQL file when it ends in {@code .sql} (a path, relative to the working directory),
     * else a fully qualified class name, found with {@code loader} and created.
     */
    public static SparkJob load(String name, ClassLoader loader) {
        if (isSqlFile(name)) {
            return sql(Path.of(name));
        }
        return loadClass(name, loader);
    }

    /**
     * A job that runs the SQL file {@code file}: {@code ;}-separated statements, one {@code BEGIN … END} script, or a
     * Databricks SQL notebook in source format; each statement in order on the run's own session, {@code :name}
     * markers bound to the run's parameters (never spliced into the text). Its name is the file name; its exit value
     * the rows of the last statement that returns rows, as JSON. The file is read and split now: a missing file,
     * an unclosed string, a {@code ?} marker, {@code ${…}} or a cache command is a {@link BadInputException} naming
     * the file, statement and line. A batch checks the rest before it starts ({@link SparkJob#check}): every
     * statement parses and every parameter has a value in every item. See docs/sql.md.
     */
    public static SparkJob sql(Path file) {
        return SqlJob.of(file);
    }

    /** Whether {@code name} names a SQL file (ends in {@code .sql}, any case) rather than a class. */
    public static boolean isSqlFile(String name) {
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".sql");
    }

    /**
     * The SHA-256 (hex) of the text a job runs, for a job read from a file ({@link #sql}), as the history records it
     * ({@code BatchSpec.jobHash}); empty for a class.
     */
    public static java.util.Optional<String> sourceHash(SparkJob job) {
        return job instanceof SqlJob s ? java.util.Optional.of(s.source().sha256()) : java.util.Optional.empty();
    }

    /** The job as the history records it, which {@link #load} loads again: a SQL file's absolute path, a class's name. */
    static String reference(SparkJob job) {
        return job instanceof SqlJob s ? s.source().path().toString() : job.getClass().getName();
    }

    /**
     * A class loader over {@code jars}, child of the current thread's context class loader (of this library's own
     * loader when there is none); that parent itself when {@code jars} is empty. Each jar must exist and be a jar
     * (zip) file; messages start with the jar's path in quotes, so a caller can say where the path came from.
     */
    public static ClassLoader classLoader(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new BadInputException("'" + jar + "' " + (Files.exists(jar) ? "is not a file" : "does not exist"));
            }
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                // Opened only to check it is a jar: a URLClassLoader would skip a bad one without a word.
            } catch (ZipException e) {
                throw new BadInputException("'" + jar + "' is not a jar file");
            } catch (IOException e) {
                throw new BadInputException("'" + jar + "' cannot be read: " + e.getMessage());
            }
            try {
                urls.add(jar.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new BadInputException("'" + jar + "' is not a usable path");
            }
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader parent = context != null ? context : Jobs.class.getClassLoader();
        return urls.isEmpty() ? parent : new JarLoader(urls.toArray(URL[]::new), parent, List.copyOf(jars));
    }

    private static SparkJob loadClass(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw notFound(className, loader);
        } catch (NoClassDefFoundError e) {
            String missing = String.valueOf(e.getMessage()).replace('/', '.');
            if (missing.equals(className) || missing.contains("wrong name")) {
                throw notFound(className, loader);
            }
            throw new BadInputException("job class '" + className + "' needs class '" + missing + "', which is not on the"
                    + " classpath" + jarsOf(loader));
        } catch (ExceptionInInitializerError e) {
            throw new BadInputException("creating job '" + className + "' failed: " + e.getCause());
        } catch (LinkageError e) {
            throw new BadInputException("cannot load job class '" + className + "': " + e);
        }
        if (!SparkJob.class.isAssignableFrom(type)) {
            throw new BadInputException("job class '" + className + "' does not implement " + SparkJob.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new BadInputException("job class '" + className + "' is abstract; give a concrete class");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new BadInputException("job class '" + className + "' needs a public no-argument constructor");
        }
        try {
            return (SparkJob) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new BadInputException("creating job '" + className + "' failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new BadInputException("cannot create job '" + className + "': " + e);
        }
    }

    private static BadInputException notFound(String className, ClassLoader loader) {
        return new BadInputException("unknown job class '" + className + "': not found on the classpath" + jarsOf(loader)
                + " (a job is named by its fully qualified class name, such as com.example.DailyMetrics)");
    }

    private static String jarsOf(ClassLoader loader) {
        if (!(loader instanceof JarLoader jars)) {
            return "";
        }
        return " or in " + jars.jars.stream().map(Path::toString).collect(Collectors.joining(", "));
    }

    /** A loader over jars that remembers them as given, so a class that is not there can be reported with them. */
    private static final class JarLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final List<Path> jars;

        JarLoader(URL[] urls, ClassLoader parent, List<Path> jars) {
            super(urls, parent);
            this.jars = jars;
        }
    }
}
