package org.plantclef.io;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.core.fs.Path;

/**
 * Which paths under an input directory are candidate images: everything except hidden files and
 * directories ({@code .name}, {@code _name}, as Spark and Flink skip them) and the given files (a
 * metadata CSV kept beside the images). Files that are not images are not filtered by name: they
 * are read and refused with a reason, so nothing is skipped silently.
 */
public final class ImageFileFilter implements Predicate<Path>, Serializable {

    private static final long serialVersionUID = 1L;

    private final Set<String> excluded;

    /**
     * @param excludedPaths paths in their {@link #qualified} form
     */
    public ImageFileFilter(Set<String> excludedPaths) {
        this.excluded = Set.copyOf(excludedPaths);
    }

    @Override
    public boolean test(Path path) {
        String name = path.getName();
        if (name.startsWith(".") || name.startsWith("_")) {
            return false;
        }
        return excluded.isEmpty() || !excluded.contains(qualified(path));
    }

    /** {@code path} with scheme and authority, as the file enumerator reports paths. */
    public static String qualified(Path path) {
        try {
            return path.makeQualified(path.getFileSystem()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the file system of " + path, e);
        }
    }
}
