package zerotoml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** What the numbers were measured on: cores, CPU model, Java, OS, load, date. */
public final class Machine {
    private Machine() {}

    public static List<String> describe() {
        Runtime rt = Runtime.getRuntime();
        List<String> out = new ArrayList<>();
        out.add("date       " + ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        out.add("cpu        " + cpuModel() + ", " + rt.availableProcessors() + " cores available to the JVM");
        out.add("java       " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + "), max heap " + rt.maxMemory() / (1 << 20) + " MiB");
        out.add("os         " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        out.add("load       " + loadAverage() + " (1, 5, 15 min; other processes share these cores)");
        return out;
    }

    /** Bytes allocated so far by every live thread (the caller and the kernel pool's workers), from ThreadMXBean. */
    public static long allocatedBytes() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long v : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) if (v > 0) sum += v;
        return sum;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
