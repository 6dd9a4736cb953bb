package searcher.opensearch;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.Version;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.PluginInfo;

/**
 * Runs one OpenSearch node in this JVM, for the tests and the benchmarks.
 *
 * <p>There is no OpenSearch distribution to download here, only its Maven Central artifacts, so
 * the node is built in code: a {@link Node} given the plugin classes on the class path, which the
 * distribution would have loaded from its modules/ folder. Arguments are settings as
 * {@code key=value} (as the distribution's {@code -E}); {@code path.home} is required. The node
 * runs until the process gets SIGTERM (closed cleanly) or SIGKILL.
 *
 * <p>One source for OpenSearch 2.x and 3.x (the pom's {@code opensearch.version}): 3.0 renamed
 * the module plugin classes and takes the class-path plugins as {@link PluginInfo}s where 2.x
 * took their classes, so both are looked up by name here.
 */
public final class NodeLauncher {

    /** The distribution's modules that the searcher needs: each plugin class's 2.x and 3.x name. */
    static final List<List<String>> PLUGINS = List.of(
        // HTTP and the transport between nodes
        List.of("org.opensearch.transport.Netty4Plugin", "org.opensearch.transport.Netty4ModulePlugin"),
        // stemmer, stop, asciifolding and the language analyzers
        List.of("org.opensearch.analysis.common.CommonAnalysisPlugin",
                "org.opensearch.analysis.common.CommonAnalysisModulePlugin"),
        // search_as_you_type, rank_feature, scaled_float, token_count
        List.of("org.opensearch.index.mapper.MapperExtrasPlugin", "org.opensearch.index.mapper.MapperExtrasModulePlugin"),
        // _reindex and *_by_query, for rebuilds behind an alias
        List.of("org.opensearch.index.reindex.ReindexPlugin", "org.opensearch.index.reindex.ReindexModulePlugin")
    );

    /** The plugins as this version's Node takes them: classes (2.x) or PluginInfos (3.x). */
    static Collection<Object> classpathPlugins() throws ReflectiveOperationException {
        List<Object> plugins = new ArrayList<>();
        for (List<String> names : PLUGINS) {
            Class<?> found = null;
            for (String name : names) {
                try {
                    found = Class.forName(name);
                    break;
                } catch (ClassNotFoundException e) {
                    // the other version's name
                }
            }
            if (found == null) {
                throw new ClassNotFoundException(String.join(" or ", names));
            }
            if (Version.CURRENT.major >= 3) {
                plugins.add(PluginInfo.class
                    .getConstructor(String.class, String.class, String.class, Version.class, String.class, String.class,
                                    String.class, List.class, boolean.class)
                    .newInstance(found.getName(), "classpath plugin", "NA", Version.CURRENT, "21", found.getName(), null,
                                 List.of(), false));
            } else {
                plugins.add(found);
            }
        }
        return plugins;
    }

    /** Defaults for a throw-away node on loopback; the arguments override any of them. */
    static final Settings DEFAULTS = Settings.builder()
        .put("network.host", "127.0.0.1")
        // The machine's disk may be fairly full; a test cluster must not refuse to allocate.
        .put("cluster.routing.allocation.disk.threshold_enabled", false)
        .put("logger.level", "WARN")
        .build();

    /** A node with class-path plugins (the public constructor only takes plugins from disk). */
    static final class TestNode extends Node {
        @SuppressWarnings({"unchecked", "rawtypes"})
        TestNode(Environment environment, Collection<Object> plugins) {
            super(environment, (Collection) plugins, true);
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

        Node node = new TestNode(environment, classpathPlugins());
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
