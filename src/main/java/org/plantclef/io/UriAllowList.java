package org.plantclef.io;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The locations an upload event may name: URI prefixes such as {@code gs://uploads/plots/} or
 * {@code file:///data/uploads/}. A URI is allowed when, normalised ({@code ..} and {@code .}
 * resolved), it has a prefix's scheme and authority and its path lies under the prefix's path at a
 * segment boundary; so {@code gs://uploads/plots/../secrets.jpg}, {@code gs://uploads/plotsX/a.jpg}
 * and {@code file:///etc/passwd} are refused.
 */
public final class UriAllowList implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<String> prefixes;

    private UriAllowList(List<String> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * @param text comma-separated URI prefixes
     * @throws IllegalArgumentException naming a prefix that is not an absolute URI with a path
     */
    public static UriAllowList parse(String text) {
        List<String> prefixes = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            URI uri;
            try {
                uri = new URI(p).normalize();
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + p + "' is not a URI: " + e.getMessage());
            }
            if (uri.getScheme() == null || uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new IllegalArgumentException(
                        "'" + p + "' needs a scheme and a path, e.g. gs://bucket/prefix/");
            }
            if (uri.getPath().contains("/../") || uri.getPath().startsWith("/..")) {
                throw new IllegalArgumentException("'" + p + "' climbs above its root");
            }
            String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
            prefixes.add(key(uri) + path);
        }
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException("no URI prefix given");
        }
        return new UriAllowList(prefixes);
    }

    private static String key(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT)
                + "://"
                + (uri.getRawAuthority() == null ? "" : uri.getRawAuthority());
    }

    /** Whether {@code uri} lies under one of the prefixes. */
    public boolean allows(URI uri) {
        URI n = uri.normalize();
        if (n.getScheme() == null
                || n.getPath() == null
                || n.getPath().contains("/../")
                || n.getPath().startsWith("/..")
                || n.getPath().endsWith("/..")) {
            return false;
        }
        String candidate = key(n) + n.getPath();
        for (String prefix : prefixes) {
            if (candidate.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    public List<String> prefixes() {
        return prefixes;
    }

    @Override
    public String toString() {
        return String.join(", ", prefixes);
    }
}
