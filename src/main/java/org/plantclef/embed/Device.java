package org.plantclef.embed;

/** Where the model runs. */
public enum Device {
    /** A GPU if the engine sees one, else the CPU. */
    AUTO,
    CPU,
    /** A GPU, or fail at start: with only the CPU natives a GPU machine would silently use CPU. */
    GPU
}
