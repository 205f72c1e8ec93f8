package org.anoscan.eval;

import java.util.List;

/**
 * Pixel-level summary for reports; a record of numbers so Jackson writes it as a flat JSON object.
 * Both metrics come from one sort of the pooled pixels.
 */
public record LocalisationMetrics(double pixelAuroc, double aupro, double auproFprLimit, int regionCount) {

    public static LocalisationMetrics of(List<AnomalyMap> maps, List<GroundTruthMask> masks) {
        return of(maps, masks, Aupro.DEFAULT_FPR_LIMIT);
    }

    public static LocalisationMetrics of(List<AnomalyMap> maps, List<GroundTruthMask> masks, double auproFprLimit) {
        Aupro.checkLimit(auproFprLimit); // before the expensive sort
        PixelRanking ranking = PixelRanking.build(maps, masks, true);
        double pixelAuroc = PixelAuroc.of(ranking);
        Aupro.Result aupro = Aupro.of(ranking, auproFprLimit);
        return new LocalisationMetrics(pixelAuroc, aupro.aupro(), auproFprLimit, aupro.regionCount());
    }
}
