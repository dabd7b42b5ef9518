package dev.fanout.cli;

import dev.fanout.SparkJob;
import dev.fanout.BadInputException;
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

/** Finds the job class on the classpath or in {@code --jars} and creates it. */
final class JobLoader {
    private JobLoader() {}

    /** A class loader over {@code jars} (checked to exist), child of the CLI's own. */
    static ClassLoader classLoader(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new BadInputException("--jars: '" + jar + "' " + (Files.exists(jar) ? "is not a file" : "does not exist"));
            }
            try {
                urls.add(jar.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new BadInputException("--jars: '" + jar + "' is not a usable path");
            }
        }
        ClassLoader parent = JobLoader.class.getClassLoader();
        return urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
    }

    static SparkJob load(String className, ClassLoader loader, List<Path> jars) {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            throw new BadInputException("unknown job class '" + className + "': not found on the classpath"
                    + (jars.isEmpty() ? " (give the jar that holds it with --jars)" : " or in --jars " + jars)
                    + "; JOB is a fully qualified class name such as com.example.DailyMetrics");
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
}
