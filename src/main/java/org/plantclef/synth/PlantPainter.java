package org.plantclef.synth;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.Random;

/** Paints synthetic plants and ground with Java2D. */
final class PlantPainter {

    private PlantPainter() {}

    static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    /** Soil or sward: a base colour with blotches and small stones, different every call. */
    static void ground(Graphics2D g, int x, int y, int w, int h, Random random) {
        Color[] bases = {
            new Color(120, 90, 60),
            new Color(95, 80, 55),
            new Color(105, 115, 70),
            new Color(130, 120, 100),
            new Color(85, 95, 60)
        };
        Color base = jitter(bases[random.nextInt(bases.length)], 12, random);
        g.setColor(base);
        g.fillRect(x, y, w, h);
        int blotches = (w * h) / 900 + 8;
        for (int i = 0; i < blotches; i++) {
            g.setColor(withAlpha(jitter(base, 30, random), 60 + random.nextInt(80)));
            double s = 4 + random.nextDouble() * Math.max(8, Math.min(w, h) / 10.0);
            g.fill(
                    new Ellipse2D.Double(
                            x + random.nextDouble() * w - s / 2,
                            y + random.nextDouble() * h - s / 2,
                            s,
                            s * (0.5 + random.nextDouble())));
        }
        int stones = (w * h) / 6000 + 2;
        for (int i = 0; i < stones; i++) {
            int grey = 110 + random.nextInt(90);
            g.setColor(new Color(grey, grey, grey - 10));
            double s = 2 + random.nextDouble() * 5;
            g.fill(
                    new Ellipse2D.Double(
                            x + random.nextDouble() * w, y + random.nextDouble() * h, s, s * 0.7));
        }
    }

    /**
     * One plant of {@code look} centred at (cx, cy) with outer radius r, turned by {@code angle};
     * the colours vary slightly from plant to plant.
     */
    static void plant(
            Graphics2D g,
            SpeciesLook look,
            double cx,
            double cy,
            double r,
            double angle,
            Random random) {
        Color color = jitter(look.color(), 14, random);
        Color accent = jitter(look.accent(), 14, random);
        AffineTransform saved = g.getTransform();
        Shape savedClip = g.getClip();
        g.translate(cx, cy);
        g.rotate(angle);
        Area body = body(look, r, random);
        g.setColor(color);
        g.fill(body);
        switch (look.shape()) {
            case STAR_FLOWER -> {
                g.setColor(accent);
                g.fill(new Ellipse2D.Double(-r * 0.28, -r * 0.28, r * 0.56, r * 0.56));
            }
            case DISC -> {
                for (double k = 0.75; k > 0.1; k -= 0.22) {
                    g.setColor(((int) (k * 10) & 1) == 0 ? accent : color.darker());
                    g.fill(new Ellipse2D.Double(-r * k, -r * k, 2 * r * k, 2 * r * k));
                }
            }
            default -> {}
        }
        texture(g, look, body, r, accent);
        g.setClip(savedClip);
        g.setTransform(saved);
    }

    private static Area body(SpeciesLook look, double r, Random random) {
        Area area = new Area();
        int n = look.parts();
        switch (look.shape()) {
            case ROSETTE -> {
                for (int i = 0; i < n; i++) {
                    Shape leaf = new Ellipse2D.Double(0, -r * 0.17, r, r * 0.34);
                    area.add(
                            new Area(
                                    AffineTransform.getRotateInstance(2 * Math.PI * i / n)
                                            .createTransformedShape(leaf)));
                }
            }
            case STAR_FLOWER -> {
                for (int i = 0; i < n; i++) {
                    Shape petal = new Ellipse2D.Double(r * 0.1, -r * 0.1, r * 0.9, r * 0.2);
                    area.add(
                            new Area(
                                    AffineTransform.getRotateInstance(2 * Math.PI * i / n)
                                            .createTransformedShape(petal)));
                }
            }
            case GRASS -> {
                int blades = n * 3;
                for (int i = 0; i < blades; i++) {
                    double a = -Math.PI / 2 + (random.nextDouble() - 0.5) * 1.6;
                    double len = r * (0.6 + 0.4 * random.nextDouble());
                    Shape blade =
                            new BasicStroke(
                                            (float) Math.max(1.5, r * 0.05),
                                            BasicStroke.CAP_ROUND,
                                            BasicStroke.JOIN_ROUND)
                                    .createStrokedShape(
                                            new Line2D.Double(
                                                    0,
                                                    r * 0.5,
                                                    Math.cos(a) * len,
                                                    r * 0.5 + Math.sin(a) * len));
                    area.add(new Area(blade));
                }
            }
            case LOBED -> {
                Path2D.Double outline = new Path2D.Double();
                for (int i = 0; i <= 96; i++) {
                    double t = 2 * Math.PI * i / 96;
                    double rr = r * (0.72 + 0.28 * Math.cos(n * t));
                    if (i == 0) {
                        outline.moveTo(rr * Math.cos(t), rr * Math.sin(t));
                    } else {
                        outline.lineTo(rr * Math.cos(t), rr * Math.sin(t));
                    }
                }
                outline.closePath();
                area.add(new Area(outline));
            }
            case DISC -> area.add(new Area(new Ellipse2D.Double(-r, -r, 2 * r, 2 * r)));
            case CLUSTER -> {
                for (int i = 0; i < n * 2; i++) {
                    double a = random.nextDouble() * 2 * Math.PI;
                    double d = r * 0.65 * Math.sqrt(random.nextDouble());
                    double s = r * 0.3;
                    area.add(
                            new Area(
                                    new Ellipse2D.Double(
                                            Math.cos(a) * d - s / 2,
                                            Math.sin(a) * d - s / 2,
                                            s,
                                            s)));
                }
            }
        }
        return area;
    }

    private static void texture(Graphics2D g, SpeciesLook look, Area body, double r, Color accent) {
        g.setClip(body);
        g.setColor(withAlpha(accent, 170));
        switch (look.texture()) {
            case STRIPES -> {
                g.setStroke(new BasicStroke((float) Math.max(1, r * 0.04)));
                for (double x = -r; x <= r; x += Math.max(3, r * 0.14)) {
                    g.draw(new Line2D.Double(x, -r, x + r * 0.4, r));
                }
            }
            case DOTS -> {
                double step = Math.max(4, r * 0.16);
                double s = step * 0.4;
                for (double y = -r; y <= r; y += step) {
                    for (double x = -r; x <= r; x += step) {
                        g.fill(new Ellipse2D.Double(x, y, s, s));
                    }
                }
            }
            case VEINS -> {
                g.setStroke(new BasicStroke((float) Math.max(1, r * 0.03)));
                int n = Math.max(look.parts(), 4);
                for (int i = 0; i < n; i++) {
                    double a = 2 * Math.PI * i / n;
                    g.draw(new Line2D.Double(0, 0, Math.cos(a) * r, Math.sin(a) * r));
                }
            }
            case PLAIN -> {}
        }
        g.setStroke(new BasicStroke(1));
    }

    /** Scales every pixel by a brightness and a slight colour cast: the light of the day. */
    static void light(BufferedImage image, Random random) {
        double brightness = 0.75 + random.nextDouble() * 0.5;
        double[] cast = {
            brightness * (0.94 + random.nextDouble() * 0.12),
            brightness * (0.94 + random.nextDouble() * 0.12),
            brightness * (0.94 + random.nextDouble() * 0.12)
        };
        int w = image.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < image.getHeight(); y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int r = clamp((int) (((p >> 16) & 0xFF) * cast[0]));
                int gr = clamp((int) (((p >> 8) & 0xFF) * cast[1]));
                int b = clamp((int) ((p & 0xFF) * cast[2]));
                row[x] = (r << 16) | (gr << 8) | b;
            }
            image.setRGB(0, y, w, 1, row, 0, w);
        }
    }

    static Color jitter(Color c, int amount, Random random) {
        return new Color(
                clamp(c.getRed() + random.nextInt(2 * amount + 1) - amount),
                clamp(c.getGreen() + random.nextInt(2 * amount + 1) - amount),
                clamp(c.getBlue() + random.nextInt(2 * amount + 1) - amount));
    }

    static Color withAlpha(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
