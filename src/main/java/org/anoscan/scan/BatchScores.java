package org.anoscan.scan;

import java.util.List;
import org.anoscan.search.FeatureTerms;
import org.anoscan.search.SearchResult;

/**
 * One batch's search results, in slot order.
 *
 * @param terms the feature terms, or null when they were not asked for
 * @param engine the name of the engine that scored it
 * @param seconds the engine's time on the batch
 */
record BatchScores(List<SearchResult> results, FeatureTerms terms, String engine, double seconds) {}
