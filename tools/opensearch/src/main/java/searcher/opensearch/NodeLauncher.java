package searcher.opensearch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.index.reindex.ReindexPlugin;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Runs one OpenSearch node in this JVM, for the tests and the benchmarks.
 *
 * <p>There is no OpenSearch distribution to download here, only its Maven Central artifacts, so
 * the node is built in code: a {@link Node} given the plugin classes on the class path, which the
 * distribution would have loaded from its modules/ folder. Arguments are settings as
 * {@code key=value} (as the distribution's {@code -E}); {@code path.home} is required. The node
 * runs until the process gets SIGTERM (closed cleanly) or SIGKILL.
 */
public final class NodeLauncher {

    /** The distribution's modules that the searcher needs; each is a plain plugin class here. */
    static final List<Class<? extends Plugin>> PLUGINS = List.of(
        Netty4Plugin.class,          // HTTP and the transport between nodes
        CommonAnalysisPlugin.class,  // stemmer, stop, asciifolding and the language analyzers
        MapperExtrasPlugin.class,    // search_as_you_type, rank_feature, scaled_float, token_count
        ReindexPlugin.class          // _reindex and *_by_query, for rebuilds behind an alias
    );

    /** Defaults for a throw-away node on loopback; the arguments override any of them. */
    static final Settings DEFAULTS = Settings.builder()
        .put("network.host", "127.0.0.1")
        // The machine's disk may be fairly full; a test cluster must not refuse to allocate.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .put("logger.level", "WARN")
        .build();

    /** A node with class-path plugins (the public constructor only takes plugins from disk). */
    static final class TestNode extends Node {
        TestNode(Environment environment) {
            super(environment, PLUGINS, true);
        }
    }

    private NodeLauncher() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder given = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("NodeLauncher: expected key=value, got: " + arg);
                System.exit(2);
            }
            given.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = Settings.builder().put(DEFAULTS).put(given.build()).build();
        if (!settings.hasValue("path.home")) {
            System.err.println("NodeLauncher: path.home=DIR is required");
            System.exit(2);
        }
        LogConfigurator.configureWithoutConfig(settings);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Map.of(), null, () -> settings.get("node.name", "node"));

        Node node = new TestNode(environment);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "node-shutdown"));
        node.start();
        // OpenSearch's own threads are daemons: this one keeps the process alive.
        closed.await();
    }
}
