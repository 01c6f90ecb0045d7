package jmail.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host tool (dpkg, lintian, systemd-analyze, sh) with output captured in files under a work dir. */
final class Shell {
    /** How a tool exited and what it printed (stdout and stderr together). */
    record Result(int exit, String output) {
        Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ":\n" + output);
            }
            return this;
        }
    }

    private Shell() {
    }

    static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static Result run(Path workDir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        return runWithInput(workDir, env, Path.of("/dev/null"), command);
    }

    static Result runWithInput(Path workDir, Map<String, String> env, Path stdin, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(stdin.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 300 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    static Result run(Path workDir, String... command) throws IOException, InterruptedException {
        return run(workDir, Map.of(), command);
    }
}
