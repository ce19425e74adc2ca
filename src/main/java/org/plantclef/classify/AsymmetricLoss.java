package org.plantclef.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Asymmetric loss (Ridnik et al., "Asymmetric Loss For Multi-Label Classification", 2021) on logits
 * with one-hot labels: negatives are down-weighted by {@code p^gamma_neg} and their probability
 * shifted by {@code clip}, positives by {@code (1-p)^gamma_pos}. Summed over classes, averaged over
 * the batch, as the paper's reference code does per sample.
 */
public final class AsymmetricLoss extends Loss {

    private static final float EPS = 1e-8f;

    private final float gammaNeg;
    private final float gammaPos;
    private final float clip;

    public AsymmetricLoss(float gammaNeg, float gammaPos, float clip) {
        super("asl");
        this.gammaNeg = gammaNeg;
        this.gammaPos = gammaPos;
        this.clip = clip;
    }

    /** The defaults of the paper: gamma_neg 4, gamma_pos 0, clip 0.05. */
    public static AsymmetricLoss defaults() {
        return new AsymmetricLoss(4f, 0f, 0.05f);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray y = labels.singletonOrThrow();
        NDArray logits = predictions.singletonOrThrow();
        NDArray p = logits.getNDArrayInternal().sigmoid();
        NDArray notY = y.neg().add(1f);
        NDArray pos = p;
        NDArray neg = p.neg().add(1f);
        if (clip > 0) {
            neg = neg.add(clip).minimum(1f);
        }
        NDArray loss = y.mul(pos.maximum(EPS).log()).add(notY.mul(neg.maximum(EPS).log()));
        NDArray pt = pos.mul(y).add(neg.mul(notY));
        NDArray gamma = y.mul(gammaPos).add(notY.mul(gammaNeg));
        loss = loss.mul(pt.neg().add(1f).pow(gamma));
        long batch = y.getShape().get(0);
        return loss.sum().neg().div(batch);
    }
}
