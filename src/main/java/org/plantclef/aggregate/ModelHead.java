package org.plantclef.aggregate;

/**
 * The paper's "fine-tuned ViT" rows: the tiles are scored by the model's own classification head (a
 * TorchScript model returning logits, with its class mapping) instead of our linear classifier,
 * then aggregated as {@link GridArgmax} does. Which scorer runs is the predict job's business; the
 * aggregation is the same.
 */
public final class ModelHead extends GridArgmax {

    private static final long serialVersionUID = 1L;

    public ModelHead(int grid, float minProb) {
        super(grid, minProb);
    }

    @Override
    public String name() {
        return Strategies.HEAD;
    }
}
