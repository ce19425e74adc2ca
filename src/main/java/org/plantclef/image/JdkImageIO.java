package org.plantclef.image;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;

/**
 * The JDK's own image readers and writers, looked up by class name.
 *
 * <p>{@code ImageIO}'s JVM-wide registry scans the calling thread's context class loader when it is
 * first used. In a Flink TaskManager that is a job's user class loader: plugins in the job jar
 * (TwelveMonkeys) would be registered for the whole JVM, leak that loader, and be handed to later
 * jobs after it is closed. So the first lookup runs with the platform class loader as context, and
 * only the JDK's providers (which never change) are ever taken from the registry.
 */
final class JdkImageIO {

    private static final String JDK_PLUGINS = "com.sun.imageio.plugins.";

    private JdkImageIO() {}

    static ImageReaderSpi reader(String className) {
        for (ImageReaderSpi provider : providers(ImageReaderSpi.class)) {
            if (provider.getClass().getName().equals(className)) {
                return provider;
            }
        }
        throw new IllegalStateException("the JDK's image reader " + className + " is missing");
    }

    static ImageWriterSpi writer(String className) {
        for (ImageWriterSpi provider : providers(ImageWriterSpi.class)) {
            if (provider.getClass().getName().equals(className)) {
                return provider;
            }
        }
        throw new IllegalStateException("the JDK's image writer " + className + " is missing");
    }

    /** All image readers the JDK itself ships (JPEG, PNG, GIF, BMP, WBMP, TIFF). */
    static List<ImageReaderSpi> readers() {
        List<ImageReaderSpi> out = new ArrayList<>();
        for (ImageReaderSpi provider : providers(ImageReaderSpi.class)) {
            if (provider.getClass().getName().startsWith(JDK_PLUGINS)) {
                out.add(provider);
            }
        }
        return out;
    }

    private static <T> List<T> providers(Class<T> category) {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
        try {
            List<T> out = new ArrayList<>();
            Iterator<T> it = IIORegistry.getDefaultInstance().getServiceProviders(category, false);
            it.forEachRemaining(out::add);
            return out;
        } finally {
            thread.setContextClassLoader(saved);
        }
    }
}
