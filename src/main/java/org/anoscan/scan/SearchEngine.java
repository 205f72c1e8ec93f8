package org.anoscan.scan;

import java.util.List;
import org.anoscan.backend.Backend;
import org.anoscan.nn.Dcgan;
import org.anoscan.search.FeatureTerms;
import org.anoscan.search.LatentSearch;
import org.anoscan.search.SearchResult;

/**
 * One device's engine: a model copy on its backend and the latent search over it (plans and buffers are
 * the backend's). Searches lock the backend: layers keep activations between forward and backward, so
 * there is one search at a time per backend, whoever asks.
 */
final class SearchEngine implements BatchEngine {
    private final String name;
    private final Dcgan model;
    private final LatentSearch search;
    private final ScanConfig cfg;
    private final boolean ownsModel;
    private final Backend ownedBackend;
    private boolean closed;

    /**
     * @param ownsModel whether {@link #close()} closes the model
     * @param ownedBackend the backend {@link #close()} closes, or null when it stays the caller's
     */
    SearchEngine(String name, Dcgan model, LatentSearch search, ScanConfig cfg, boolean ownsModel, Backend ownedBackend) {
        this.name = name;
        this.model = model;
        this.search = search;
        this.cfg = cfg;
        this.ownsModel = ownsModel;
        this.ownedBackend = ownedBackend;
    }

    @Override
    public String name() { return name; }

    Dcgan model() { return model; }

    LatentSearch search() { return search; }

    @Override
    public BatchScores score(float[] data, long[] ids, boolean features) {
        long t0 = System.nanoTime();
        List<SearchResult> results;
        synchronized (model.backend()) {
            checkOpen();
            // set per search: scanners sharing a backend may ask for different precisions
            model.backend().setPrecision(cfg.precisionFor(model.backend()));
            results = search.search(data, ids);
        }
        FeatureTerms terms = features ? featureTerms(data, results) : null;
        return new BatchScores(results, terms, name, (System.nanoTime() - t0) / 1e9);
    }

    private FeatureTerms featureTerms(float[] data, List<SearchResult> results) {
        int per = model.imageShape(1).size();
        float[] generated = new float[results.size() * per];
        for (int i = 0; i < results.size(); i++) System.arraycopy(results.get(i).generated(), 0, generated, i * per, per);
        synchronized (model.backend()) {
            checkOpen();
            return FeatureTerms.compute(model, data, generated, results.size());
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("scanner is closed");
    }

    @Override
    public void close() {
        synchronized (model.backend()) { // waits for a search in flight
            if (closed) return;
            closed = true;
            if (ownsModel) model.close();
            if (ownedBackend != null) ownedBackend.close();
        }
    }
}
