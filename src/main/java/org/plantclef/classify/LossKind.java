package org.plantclef.classify;

/** The training loss, and so the activation that turns logits into probabilities. */
public enum LossKind {
    /** Log-softmax + negative log-likelihood (the paper): one species per training image. */
    NLL,
    /** One-vs-rest binary cross-entropy on sigmoids. */
    BCE,
    /** Asymmetric loss (Ridnik et al. 2021): gamma_neg 4, gamma_pos 0, clip 0.05, on sigmoids. */
    ASL;

    /** Whether probabilities are a softmax (else independent sigmoids). */
    public boolean softmax() {
        return this == NLL;
    }
}
