package org.anoscan.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One local Spark session for every Spark test class of the run (starting one costs seconds): two task threads,
 * and up to 4 attempts per task ({@code local[2,4]}) so that a killed task is retried as on a cluster. Spark
 * stops it when the JVM exits.
 */
final class SharedSpark {
    private SharedSpark() {}

    private static SparkSession session;

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,4]").appName("anoscan-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
        }
        return session;
    }
}
