package org.athar.embedded;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs a Neo4j Community engine in this JVM with a Bolt connector on 127.0.0.1.
 *
 * <p>Protocol: exactly one line on stdout, either {@code ATHAR_NEO4J_READY bolt://127.0.0.1:PORT}
 * once Bolt accepts connections, or {@code ATHAR_NEO4J_FAILED reason} (then exit status 1).
 * Everything else goes to files under {@code DIR/logs/}. The process stops cleanly on
 * SIGTERM, SIGINT, SIGHUP and when its standard input reaches end of file.
 *
 * <p>See README.md beside the pom for the full description.
 */
public final class Launcher {

    static final String PASSWORD_ENV = "ATHAR_NEO4J_PASSWORD";
    static final String READY_PREFIX = "ATHAR_NEO4J_READY ";
    static final String FAILED_PREFIX = "ATHAR_NEO4J_FAILED ";
    static final String HOST = "127.0.0.1";
    static final String DEFAULT_PAGECACHE = "256m";
    static final String DEFAULT_TX_MEMORY_MAX = "512m";
    /** Rotate launcher.log to launcher.log.1 at start once it is larger than this. */
    static final long LAUNCHER_LOG_ROTATE_BYTES = 10L * 1024 * 1024;
    /** How long a stop request waits for a startup in progress to finish before giving up. */
    static final long STARTUP_WAIT_ON_STOP_SECONDS = 120;

    /** The real standard output, kept for the one protocol line. */
    private static PrintStream protocolOut;
    /** launcher.log; also System.out and System.err once redirected. */
    private static volatile PrintStream launcherLog;

    private static final Object LOCK = new Object();
    private static final CountDownLatch STARTUP_FINISHED = new CountDownLatch(1);
    private static volatile boolean stopRequested;
    private static DatabaseManagementService managementService; // guarded by LOCK
    private static Log4jLogProvider userLogProvider; // guarded by LOCK
    private static boolean shutDown; // guarded by LOCK
    private static volatile String secret;

    private Launcher() {
    }

    public static void main(String[] args) {
        // Take the real stdout before anything can write to it, then silence System.out/err
        // until launcher.log exists (nothing is expected to print before that).
        protocolOut = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        System.setOut(sink);
        System.setErr(sink);

        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            fail(e.getMessage(), null);
            return;
        }

        try {
            openLauncherLog(options.dataDir);
        } catch (IOException | RuntimeException e) {
            fail("cannot create log directory under " + options.dataDir + ": " + e, null);
            return;
        }

        String password = System.getenv(PASSWORD_ENV);
        if (password != null && password.isEmpty()) {
            password = null;
        }
        secret = password;

        installStopHandlers();

        long started = System.nanoTime();
        log("starting: data-dir=" + options.dataDir + " port=" + options.port
                + " pagecache=" + options.pagecache + " tx-memory-max=" + options.txMemoryMax
                + " auth=" + (password != null ? "enabled (password from " + PASSWORD_ENV + ")" : "disabled")
                + " java=" + System.getProperty("java.version")
                + " max-heap=" + (Runtime.getRuntime().maxMemory() >> 20) + "MiB");

        int boltPort;
        try {
            DatabaseManagementService dbms = start(options, password != null);
            synchronized (LOCK) {
                managementService = dbms;
            }
            log("neo4j started in " + millisSince(started) + " ms");
            if (password != null) {
                applyPassword(dbms, password);
            }
            boltPort = boltPort(dbms);
        } catch (Throwable t) {
            STARTUP_FINISHED.countDown();
            if (stopRequested) {
                // A stop request raced the startup; the exit is already under way.
                log("startup interrupted by a stop request: " + t);
                return;
            }
            log("startup failed", t);
            shutdownQuietly();
            fail(shortReason(t), t);
            return;
        }
        STARTUP_FINISHED.countDown();
        if (stopRequested) {
            log("stop requested during startup; not announcing readiness");
            return;
        }

        String uri = "bolt://" + HOST + ":" + boltPort;
        log("ready: " + uri + " after " + millisSince(started) + " ms");
        protocolOut.println(READY_PREFIX + uri);
        protocolOut.flush();
        // main returns; the JVM stays up on Neo4j's non-daemon threads until a stop request.
    }

    // ---------------------------------------------------------------- startup

    private static DatabaseManagementService start(Options options, boolean authEnabled) throws IOException {
        Path logsDir = options.dataDir.resolve("logs");
        OutputStream userLog = new FileOutputStream(logsDir.resolve("neo4j.log").toFile(), true);
        Log4jLogProvider userLogs = new Log4jLogProvider(userLog);
        synchronized (LOCK) {
            userLogProvider = userLogs;
        }

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(options.dataDir)
                .setUserLogProvider(userLogs)
                // Listen and advertise on loopback only.
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                .setConfig(GraphDatabaseSettings.logs_directory, logsDir)
                // Bolt only. The embedded builder starts no web server; HTTP(S) off to be explicit.
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, options.port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // Netty's default 5 s "quiet period", paid once per event-loop group, made every
                // shutdown take ~10 s; nothing is left to drain when we stop, so don't wait.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                // No usage reporting ("UDC"): it is on by default and would call home.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                // Authentication.
                .setConfig(GraphDatabaseSettings.auth_enabled, authEnabled)
                // Memory.
                .setConfig(GraphDatabaseSettings.pagecache_memory, options.pagecacheBytes)
                .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size, options.txMemoryMaxBytes)
                // A small local instance: no query log, modest transaction-log files.
                .setConfig(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, 32L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files");
        return builder.build();
    }

    private static void applyPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        long t0 = System.nanoTime();
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
            log("password of user neo4j set from " + PASSWORD_ENV + " in " + millisSince(t0) + " ms");
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
            // Same password as last time: Neo4j refuses to "change" it; only make sure no change is required.
            log("password of user neo4j unchanged (same as before), checked in " + millisSince(t0) + " ms");
            system.executeTransactionally("ALTER USER neo4j SET PASSWORD CHANGE NOT REQUIRED");
            log("password of user neo4j: change not required, after " + millisSince(t0) + " ms");
        }
    }

    private static long millisSince(long nanoTime) {
        return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
    }

    private static int boltPort(DatabaseManagementService dbms) {
        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        ConnectorPortRegister ports = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        var address = ports.getLocalAddress(ConnectorType.BOLT);
        if (address == null) {
            throw new IllegalStateException("Bolt connector did not register a local address");
        }
        return address.getPort();
    }

    // ---------------------------------------------------------------- stopping

    private static void installStopHandlers() {
        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::shutdownForExit, "athar-shutdown"));

        // SIGTERM/SIGINT/SIGHUP: shut down and exit 0 (the JVM default would exit 128+signal).
        for (String name : new String[] {"TERM", "INT", "HUP"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> requestStop("SIG" + name));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log("cannot handle SIG" + name + " (" + e.getMessage() + "); the shutdown hook still applies");
            }
        }

        // End of standard input: the parent is gone (or asked us to stop by closing the pipe).
        Thread stdinWatch = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[512];
            try {
                while (in.read(buffer) >= 0) {
                    // Input is ignored; only its end matters.
                }
                requestStop("end of standard input");
            } catch (IOException e) {
                requestStop("standard input failed: " + e.getMessage());
            }
        }, "athar-stdin-watch");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
    }

    private static void requestStop(String why) {
        stopRequested = true;
        log("stop requested: " + why);
        // Exit from a fresh thread so a signal-dispatch or stdin thread never blocks on the hooks.
        Thread exit = new Thread(() -> System.exit(0), "athar-exit");
        exit.setDaemon(false);
        exit.start();
    }

    /** Shutdown hook body: wait for a startup in progress, then shut Neo4j down. */
    private static void shutdownForExit() {
        stopRequested = true;
        try {
            if (!STARTUP_FINISHED.await(STARTUP_WAIT_ON_STOP_SECONDS, TimeUnit.SECONDS)) {
                log("startup still running after " + STARTUP_WAIT_ON_STOP_SECONDS + " s; exiting without shutdown");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shutdownQuietly();
    }

    private static void shutdownQuietly() {
        synchronized (LOCK) {
            if (shutDown) {
                return;
            }
            shutDown = true;
            long t0 = System.nanoTime();
            if (managementService != null) {
                try {
                    managementService.shutdown();
                    log("neo4j shut down in " + millisSince(t0) + " ms");
                } catch (Throwable t) {
                    log("neo4j shutdown failed", t);
                }
            }
            if (userLogProvider != null) {
                try {
                    userLogProvider.close();
                } catch (Throwable t) {
                    log("closing neo4j.log failed", t);
                }
            }
        }
    }

    // ---------------------------------------------------------------- output

    private static void openLauncherLog(Path dataDir) throws IOException {
        Path logsDir = dataDir.resolve("logs");
        Files.createDirectories(logsDir);
        Path file = logsDir.resolve("launcher.log");
        if (Files.exists(file) && Files.size(file) > LAUNCHER_LOG_ROTATE_BYTES) {
            Files.move(file, logsDir.resolve("launcher.log.1"), StandardCopyOption.REPLACE_EXISTING);
        }
        PrintStream stream = new PrintStream(new FileOutputStream(file.toFile(), true), true, StandardCharsets.UTF_8);
        launcherLog = stream;
        System.setOut(stream);
        System.setErr(stream);
    }

    static void log(String message) {
        log(message, null);
    }

    static void log(String message, Throwable t) {
        PrintStream out = launcherLog;
        if (out == null) {
            return;
        }
        synchronized (out) {
            out.println(OffsetDateTime.now() + " [launcher] " + redact(message));
            if (t != null) {
                java.io.StringWriter trace = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(trace));
                out.print(redact(trace.toString()));
            }
            out.flush();
        }
    }

    private static void fail(String reason, Throwable t) {
        String line = redact(reason == null ? "unknown error" : reason).replaceAll("\\s+", " ").trim();
        if (line.length() > 300) {
            line = line.substring(0, 297) + "...";
        }
        if (t == null) {
            log("failed: " + line);
        }
        protocolOut.println(FAILED_PREFIX + line);
        protocolOut.flush();
        System.exit(1);
    }

    private static String shortReason(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = describe(t);
        if (root == t || String.valueOf(root.getMessage()).equals(String.valueOf(t.getMessage()))) {
            return top;
        }
        return top + " (cause: " + describe(root) + ")";
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        String first = message == null ? "" : message.lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }

    private static String redact(String text) {
        String s = secret;
        if (text == null || s == null) {
            return text;
        }
        return text.replace(s, "***");
    }

    // ---------------------------------------------------------------- arguments

    static final class Options {
        Path dataDir;
        int port = -1;
        String pagecache = DEFAULT_PAGECACHE;
        String txMemoryMax = DEFAULT_TX_MEMORY_MAX;
        long pagecacheBytes;
        long txMemoryMaxBytes;

        static final String USAGE = "usage: --data-dir DIR --port N [--pagecache 256m] [--tx-memory-max 512m]";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                switch (name) {
                    case "--data-dir", "--port", "--pagecache", "--tx-memory-max" -> {
                        if (value == null) {
                            if (i + 1 >= args.length) {
                                throw new IllegalArgumentException("missing value for " + name + "; " + USAGE);
                            }
                            value = args[++i];
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + arg + "; " + USAGE);
                }
                switch (name) {
                    case "--data-dir" -> {
                        if (value.isBlank()) {
                            throw new IllegalArgumentException("--data-dir is empty");
                        }
                        o.dataDir = Path.of(value).toAbsolutePath().normalize();
                    }
                    case "--port" -> {
                        try {
                            o.port = Integer.parseInt(value.trim());
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port is not a number: " + value);
                        }
                        if (o.port < 0 || o.port > 65535) {
                            throw new IllegalArgumentException("--port out of range 0-65535: " + value);
                        }
                    }
                    case "--pagecache" -> o.pagecache = value.trim();
                    case "--tx-memory-max" -> o.txMemoryMax = value.trim();
                    default -> throw new AssertionError(name);
                }
            }
            if (o.dataDir == null) {
                throw new IllegalArgumentException("--data-dir is required; " + USAGE);
            }
            if (o.port < 0) {
                throw new IllegalArgumentException("--port is required (0 = any free port); " + USAGE);
            }
            o.pagecacheBytes = bytes("--pagecache", o.pagecache);
            o.txMemoryMaxBytes = bytes("--tx-memory-max", o.txMemoryMax);
            return o;
        }

        private static long bytes(String name, String value) {
            long parsed;
            try {
                parsed = SettingValueParsers.BYTES.parse(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(name + " is not a size like 256m or 1g: " + value);
            }
            if (parsed <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return parsed;
        }
    }
}
