package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

    @Test
    void combinesTheImageLevelMetrics() {
        DetectionMetrics m = DetectionMetrics.of(new double[] {0.1, 0.4, 0.35, 0.8}, new int[] {0, 0, 1, 1});
        // Hand values from RocTest, PrecisionRecallTest and ThresholdMetricsTest.
        assertEquals(0.75, m.auroc(), 1e-15);
        assertEquals(5.0 / 6.0, m.aupr(), 1e-15);
        assertEquals(0.8, m.bestF1(), 1e-15);
        assertEquals(0.35, m.bestF1Threshold(), 0);
        assertEquals(2, m.normals());
        assertEquals(2, m.anomalies());
    }

    @Test
    void serialisesToFlatJson() throws Exception {
        DetectionMetrics m = new DetectionMetrics(0.75, 0.5, 0.8, 0.35, 2, 2);
        ObjectMapper json = new ObjectMapper();
        JsonNode node = json.readTree(json.writeValueAsString(m));
        assertEquals(0.75, node.get("auroc").asDouble());
        assertEquals(0.35, node.get("bestF1Threshold").asDouble());
        assertEquals(m, json.readValue(json.writeValueAsString(m), DetectionMetrics.class));
    }
}
