package org.anoscan.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalisationMetricsTest {

    @Test
    void combinesPixelAurocAndAupro() {
        // Hand values from PixelAurocTest and AuproTest.
        LocalisationMetrics m = LocalisationMetrics.of(List.of(TwoRegions.MAP), List.of(TwoRegions.MASK));
        assertEquals(1041.0 / 1131.0, m.pixelAuroc(), 1e-15);
        assertEquals(211.0 / 261.0, m.aupro(), 1e-14);
        assertEquals(0.3, m.auproFprLimit(), 0);
        assertEquals(2, m.regionCount());
    }

    @Test
    void serialisesToJsonAndBack() throws Exception {
        LocalisationMetrics m = new LocalisationMetrics(0.9, 0.8, 0.3, 7);
        ObjectMapper json = new ObjectMapper();
        assertEquals(m, json.readValue(json.writeValueAsString(m), LocalisationMetrics.class));
    }

    @Test
    void rejectsBadLimitBeforeSorting() {
        assertThrows(IllegalArgumentException.class,
                () -> LocalisationMetrics.of(List.of(TwoRegions.MAP), List.of(TwoRegions.MASK), 0));
    }
}
