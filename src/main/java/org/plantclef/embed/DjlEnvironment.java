package org.plantclef.embed;

import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings DJL reads once, when its engine first loads: they must be in place before any DJL class
 * is touched in this JVM. The launcher, the test JVMs and .ci/run set the offline switches already;
 * setting them again here covers JVMs we did not start (a cluster's TaskManagers).
 */
public final class DjlEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(DjlEnvironment.class);

    private DjlEnvironment() {}

    public static synchronized void prepare(int threads, @Nullable String cacheDir) {
        // Without these the engine contacts a cloud metadata address when it starts.
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        if (cacheDir != null && !cacheDir.isBlank()) {
            setIfAbsent("DJL_CACHE_DIR", cacheDir);
        }
        if (threads > 0) {
            String fixed = System.getProperty("ai.djl.pytorch.num_threads");
            if (fixed != null && !fixed.equals(Integer.toString(threads))) {
                // PyTorch reads it once per JVM; a TaskManager keeps the first job's value.
                LOG.warn(
                        "PyTorch threads are already {} in this JVM; the requested {} is ignored",
                        fixed,
                        threads);
            }
            setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(threads));
            setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
