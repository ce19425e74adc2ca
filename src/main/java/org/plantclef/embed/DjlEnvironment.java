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

    /** Flink task slots of this JVM, as far as the embed operators have said; 1 until then. */
    private static int taskSlots = 1;

    /**
     * Tells how many task slots this JVM (a TaskManager, or the local MiniCluster) has: with {@code
     * threads} 0, each slot's model then gets an equal share of the cores instead of every slot's
     * model starting a thread per core (two slots on two cores would run four threads and lose a
     * third of their speed to switching).
     */
    public static synchronized void taskSlots(int slots) {
        taskSlots = Math.max(1, slots);
    }

    /**
     * @param threads PyTorch intra-op threads per model run; 0 for the cores of this machine
     *     divided among its task slots
     */
    public static synchronized void prepare(int threads, @Nullable String cacheDir) {
        // Without these the engine contacts a cloud metadata address when it starts.
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        if (cacheDir != null && !cacheDir.isBlank()) {
            setIfAbsent("DJL_CACHE_DIR", cacheDir);
        }
        int wanted = threads > 0 ? threads : defaultThreads();
        String fixed = System.getProperty("ai.djl.pytorch.num_threads");
        if (fixed != null && !fixed.equals(Integer.toString(wanted))) {
            // PyTorch reads it once per JVM; a TaskManager keeps the first job's value.
            LOG.warn(
                    "PyTorch threads are already {} in this JVM; the requested {} is ignored",
                    fixed,
                    wanted);
        } else if (fixed == null) {
            LOG.info(
                    "PyTorch intra-op threads: {}{}",
                    wanted,
                    threads > 0 ? "" : " (" + cores() + " cores / " + taskSlots + " task slots)");
        }
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(wanted));
        // One model call at a time per slot: inter-op parallelism would only oversubscribe.
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** The threads a model gets when none are asked for: the cores shared among the slots. */
    public static synchronized int defaultThreads() {
        return Math.max(1, cores() / taskSlots);
    }

    private static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
