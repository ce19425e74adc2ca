package org.plantclef.synth;

import java.awt.Color;

/**
 * The visual identity of a synthetic species: what its plants look like in every photo, so that an
 * embedding can tell species apart while pose, scale, background and light vary.
 *
 * @param speciesId PlantCLEF-style numeric id
 * @param name binomial name ("Genus epithet")
 * @param family family name
 * @param shape overall form
 * @param color main colour
 * @param accent second colour (flower centre, veins, texture)
 * @param texture pattern painted over the shape
 * @param parts number of leaves, petals or lobes
 * @param scale relative size of a plant, 0.55..1
 */
public record SpeciesLook(
        long speciesId,
        String name,
        String family,
        Shape shape,
        Color color,
        Color accent,
        Texture texture,
        int parts,
        double scale) {

    /** The overall form of a plant. */
    public enum Shape {
        /** Elongated leaves radiating from the centre. */
        ROSETTE,
        /** Thin petals around a contrasting disc. */
        STAR_FLOWER,
        /** Many narrow blades. */
        GRASS,
        /** A round outline with lobes. */
        LOBED,
        /** Concentric rings, like a composite flower head. */
        DISC,
        /** A cluster of small round berries or buds. */
        CLUSTER
    }

    /** A pattern over the shape. */
    public enum Texture {
        PLAIN,
        STRIPES,
        DOTS,
        VEINS
    }

    public String genus() {
        return name.substring(0, name.indexOf(' '));
    }
}
